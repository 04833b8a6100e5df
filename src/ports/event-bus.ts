/** Changes other nodes (and open SMTP sessions) must see at once. */
export type SendwardenEvent =
  | { readonly type: 'user.changed'; readonly userId: string }
  | { readonly type: 'restriction.changed'; readonly userId: string }
  | { readonly type: 'policy.changed' };

/** Publishes changes to every node; in-process by default, Redis pub/sub at scale. */
export interface EventBus {
  publish(event: SendwardenEvent): Promise<void>;
  subscribe(handler: (event: SendwardenEvent) => void): () => void;
}

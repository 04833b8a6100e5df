/** A notification email the system sends (alerts to admins, reset codes to users). */
export interface OutgoingNotice {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** The same content as HTML (an alternative part), when there is one. */
  readonly html?: string | undefined;
  /**
   * Secrets the notice carries (a reset code): the capture outbox records them, so readers see
   * the message masked unless they may and ask to reveal it.
   */
  readonly secrets?: readonly string[] | undefined;
}

/** Sends notices through the relay (or into the capture outbox). */
export interface Mailer {
  send(notice: OutgoingNotice): Promise<void>;
}

/**
 * Webhook delivery of events: JSON, HMAC-signed, one attempt. Resolves when the receiver answered
 * 2xx; throws otherwise (the alert outbox retries with back-off).
 */
export interface Webhook {
  deliver(event: {
    readonly type: string;
    readonly at: Date;
    readonly data: Readonly<Record<string, unknown>>;
  }): Promise<void>;
}

/** The envelope handed to the next hop: the authenticated sender and the accepted recipients. */
export interface RelayEnvelope {
  readonly from: string;
  readonly to: readonly string[];
}

/** What the gateway already knows about the message; lets the capture outbox name and describe it. */
export interface RelayMessageInfo {
  /** The gateway's message id (the same id as in the message log). */
  readonly id: string;
  readonly subject: string | null;
}

/** The next hop took responsibility for the message. */
export interface RelayResult {
  /** The next hop's reply line (e.g. `250 2.0.0 Ok: queued as 4F2A`), for the log. */
  readonly reply: string;
  /** relayed: a real next hop accepted it; captured: written to the local capture outbox. */
  readonly outcome: 'relayed' | 'captured';
}

/**
 * Hands one accepted message to the next hop. Resolves only once the next hop has taken
 * responsibility (its 250 after DATA, or the outbox file fsynced and renamed), so the gateway
 * can answer 250 without risking loss.
 * Throws DomainError RELAY_REJECTED (the next hop refused permanently; its own reply line is in
 * `details.reply`) or RELAY_UNAVAILABLE (unreachable, timed out, temporary refusal), each
 * within a bounded time (seconds, set by the adapter).
 */
export interface Relay {
  send(envelope: RelayEnvelope, raw: Buffer | AsyncIterable<Uint8Array>, info?: RelayMessageInfo): Promise<RelayResult>;
  /** Closes pooled connections; later sends fail with RELAY_UNAVAILABLE. */
  close(): Promise<void>;
}

/** One message held in the capture outbox (the `.json` sidecar of its `.eml`). */
export interface OutboxEntry {
  readonly id: string;
  readonly from: string;
  readonly to: readonly string[];
  /** Size of the raw message in bytes. */
  readonly size: number;
  readonly subject: string | null;
  readonly at: Date;
}

/** The capture outbox as the CLI (`sendwarden outbox list`) and the API read it. */
export interface Outbox {
  /** Every captured message, oldest first. */
  list(): Promise<readonly OutboxEntry[]>;
  /** One captured message with its raw bytes; throws DomainError NOT_FOUND for an unknown id. */
  read(id: string): Promise<{ readonly entry: OutboxEntry; readonly raw: Buffer }>;
}

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
  /** Secrets the message carries (a reset code): the capture outbox records them for masking. */
  readonly secrets?: readonly string[] | undefined;
}

/** The next hop took responsibility for the message. */
export interface RelayResult {
  /** The next hop's reply line (e.g. `250 2.0.0 Ok: queued as 4F2A`), for the log. */
  readonly reply: string;
  /** relayed: a real next hop accepted it; captured: written to the local capture outbox. */
  readonly outcome: 'relayed' | 'captured';
}

/** MAIL FROM as handed to the next hop (RFC 3461 DSN and RFC 6531 SMTPUTF8 parameters as the client gave them). */
export interface RelayMail {
  readonly from: string;
  /** The client asked for SMTPUTF8 (or an address needs it). */
  readonly smtputf8?: boolean | undefined;
  /** RFC 3461 RET=FULL|HDRS. */
  readonly ret?: string | undefined;
  /** RFC 3461 ENVID (xtext, passed on as received). */
  readonly envid?: string | undefined;
}

/** RCPT TO parameters passed on (RFC 3461). */
export interface RelayRecipientOptions {
  /** NEVER or a list of SUCCESS, FAILURE, DELAY. */
  readonly notify?: string | undefined;
  /** The original recipient, `rfc822;addr` (xtext). */
  readonly orcpt?: string | undefined;
}

/** The next hop's answer to one recipient. */
export type RecipientAnswer =
  | { readonly accepted: true; readonly reply: string }
  | {
      readonly accepted: false;
      /** The next hop's own line (or ours, e.g. `553 5.6.7` when it lacks SMTPUTF8). */
      readonly reply: string;
      readonly permanent: boolean;
    };

/**
 * One open mail transaction at the next hop (smtpd_proxy_filter style): MAIL FROM is sent at
 * begin, each recipient the policy accepted is offered and gets the next hop's own answer,
 * and DATA goes to exactly the recipients both accepted. A transaction holds one next-hop
 * connection from begin until data, abort or a failure, then gives it back to the pool.
 */
export interface RelayTransaction {
  /** Offers one recipient. Throws DomainError RELAY_UNAVAILABLE when the next hop is gone or silent. */
  addRecipient(to: string, options?: RelayRecipientOptions): Promise<RecipientAnswer>;
  /**
   * Hands the message to the accepted recipients; same outcomes and errors as Relay.send. The
   * message is `parts` in order (the gateway's trace header lines, then the client's bytes), so no
   * copy of a whole message is made only to join them; the adapter reads them, never changes them.
   */
  data(parts: readonly Buffer[], info?: RelayMessageInfo): Promise<RelayResult>;
  /** Abandons the transaction (RSET at the next hop); the connection goes back to the pool. Never throws. */
  abort(): Promise<void>;
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
  /**
   * Opens a transaction (MAIL FROM at the next hop). Throws DomainError RELAY_UNAVAILABLE
   * (unreachable, timed out, temporary refusal) or RELAY_REJECTED (the sender refused for good,
   * its line in `details.reply`).
   */
  begin(mail: RelayMail): Promise<RelayTransaction>;
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
  /** True when Sendwarden wrote the message with a secret in it (a reset code). */
  readonly holdsSecret?: boolean | undefined;
}

/** The capture outbox as the CLI (`sendwarden outbox list`) and the API read it. */
export interface Outbox {
  /** Every captured message, oldest first. */
  list(): Promise<readonly OutboxEntry[]>;
  /** One captured message with its raw bytes; throws DomainError NOT_FOUND for an unknown id. */
  read(id: string): Promise<{
    readonly entry: OutboxEntry;
    readonly raw: Buffer;
    /** The secrets recorded with the message (empty for ordinary mail). */
    readonly secrets?: readonly string[] | undefined;
  }>;
}

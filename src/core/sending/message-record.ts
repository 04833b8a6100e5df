/** What the gateway decided about one message. */
export type MessageOutcome = 'relayed' | 'captured' | 'rejected' | 'deferred';

/** One line of the message log: what an admin reads to see what an account did. */
export interface MessageRecord {
  readonly id: string;
  readonly at: Date;
  readonly userId: string | null;
  readonly sender: string;
  readonly recipientsInternal: number;
  readonly recipientsExternal: number;
  /** Recipients refused (by limit, restriction or per-message cap). */
  readonly recipientsRefused: number;
  readonly size: number;
  readonly subject: string | null;
  /** Content score of the built-in scorer (or Rspamd), null when no content was seen. */
  readonly spamScore: number | null;
  readonly isSpam: boolean;
  readonly outcome: MessageOutcome;
  /** ErrorCode of the refusal, or null when relayed. */
  readonly reasonCode: string | null;
  readonly reason: string | null;
  /** The next hop's reply line, or null. */
  readonly nextHopReply: string | null;
  readonly clientAddress: string | null;
}

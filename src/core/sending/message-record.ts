/** How many recipients a message-log record names (the rest are counted only). */
export const MESSAGE_RECIPIENTS_LOGGED = 5;

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
  /**
   * Of the refused recipients, those the policy engine refused, by kind (not invalid addresses):
   * the what-if replay offers them again. Undefined or null on records from before schema 6.
   */
  readonly refusedInternal?: number | null | undefined;
  readonly refusedExternal?: number | null | undefined;
  readonly size: number;
  readonly subject: string | null;
  /**
   * The first MESSAGE_RECIPIENTS_LOGGED accepted recipients (the counts above say how many there
   * were). Absent on records from before schema 8.
   */
  readonly recipients?: readonly string[] | undefined;
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
  /** The external scanner's (Rspamd's) verdict, when it scored the message; absent or null otherwise. */
  readonly scanner?: ScannerVerdictRecord | null | undefined;
  /** The scorers that called the message spam ("builtin", "rspamd"); empty or absent when none did. */
  readonly spamBy?: readonly string[] | undefined;
}

/** What the message log keeps of an external scanner's verdict. */
export interface ScannerVerdictRecord {
  readonly name: string;
  /** reject, soft-reject, add-header, rewrite-subject, greylist, no-action */
  readonly action: string;
  readonly score: number;
  /** Its strongest symbols, at most 10 (e.g. GTUBE, BAYES_SPAM). */
  readonly symbols: readonly string[];
}

/** What the scorer may look at: facts the SMTP adapter extracts from a parsed message. */
export interface MessageFacts {
  readonly sender: string;
  readonly recipients: readonly string[];
  /** Recipients outside the sender's accepted domains. */
  readonly externalRecipients: number;
  readonly fromHeader: string | null;
  readonly replyTo: string | null;
  readonly subject: string | null;
  /** Plain text of the body (HTML converted to text). */
  readonly text: string;
  /** Every link target found in text and HTML. */
  readonly links: readonly string[];
  readonly attachments: readonly {
    readonly filename: string | null;
    readonly contentType: string;
    readonly size: number;
  }[];
  /** SHA-256 hex of the normalised body, to notice the same body sent to many. */
  readonly bodyHash: string;
}

/** One named signal that added to the score. */
export interface ScoreSignal {
  readonly name: string;
  readonly score: number;
  readonly detail: string;
}

/** A content verdict. */
export interface ContentVerdict {
  readonly score: number;
  readonly signals: readonly ScoreSignal[];
}

/** Content scoring; the built-in scorer now, Rspamd as another adapter later. */
export interface ContentScorer {
  score(facts: MessageFacts): Promise<ContentVerdict>;
}

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

/** What an external scanner (Rspamd) gets for one message: the raw bytes and the envelope it asks for. */
export interface ScanRequest {
  /** The message exactly as the client sent it (RFC 5322, CRLF line endings). */
  readonly raw: Uint8Array;
  readonly mailFrom: string;
  readonly recipients: readonly string[];
  /** The client's IP address, or null when unknown. */
  readonly clientAddress: string | null;
  /** The authenticated login (the user's primary address). */
  readonly user: string;
  /** The client's EHLO/HELO name, or null. */
  readonly helo: string | null;
  /** The gateway's message id (the `queued as` id). */
  readonly queueId: string;
}

/** What an external scanner's action means to the gateway. */
export type ScannerAction = 'reject' | 'soft-reject' | 'add-header' | 'rewrite-subject' | 'greylist' | 'no-action';

/** One symbol of a scanner's verdict (e.g. GTUBE, BAYES_SPAM), strongest first. */
export interface ScannerSymbol {
  readonly name: string;
  readonly score: number;
}

/**
 * An external scanner's answer. `scored` is a real verdict; `unavailable` means the scanner could
 * not be asked or answered something that is not a verdict (never "clean"); `skipped` means the
 * message was not sent to it on purpose (larger than the scanner takes).
 */
export type ScanResult =
  | {
      readonly state: 'scored';
      readonly scanner: string;
      readonly action: ScannerAction;
      readonly score: number;
      readonly requiredScore: number | null;
      /** At most 10, by descending absolute score. */
      readonly symbols: readonly ScannerSymbol[];
    }
  | { readonly state: 'unavailable'; readonly scanner: string; readonly reason: string }
  | { readonly state: 'skipped'; readonly scanner: string; readonly reason: string };

/** An external content scanner (Rspamd): never throws; an outage is the `unavailable` result, within its timeout. */
export interface MessageScanner {
  scan(request: ScanRequest): Promise<ScanResult>;
}

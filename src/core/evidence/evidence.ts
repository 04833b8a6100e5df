import type { ScannerVerdictRecord } from '../sending/message-record.js';

/** The most messages kept as evidence per restriction (the newest win). */
export const EVIDENCE_PER_RESTRICTION = 20;
/** The most bytes kept of one message: the first 1 MB; a larger message is kept cut, and says so. */
export const EVIDENCE_MAX_BYTES = 1024 * 1024;
/** How many recipients a record names; the rest are only counted. */
export const EVIDENCE_RECIPIENTS_SHOWN = 5;

/** Why a message counted as evidence: a spam verdict, or a refused Send As. */
export type EvidenceKind = 'spam' | 'send-as';

/** What is kept of one message that counted as evidence (its bytes travel beside it). */
export interface EvidenceRecord {
  /** The gateway's message id (the message log's id). */
  readonly id: string;
  readonly userId: string;
  readonly at: Date;
  readonly kind: EvidenceKind;
  /** User content: shown escaped, never as HTML. */
  readonly subject: string | null;
  /** The first EVIDENCE_RECIPIENTS_SHOWN recipients. */
  readonly recipients: readonly string[];
  readonly recipientCount: number;
  /** The built-in scorer's score. */
  readonly spamScore: number;
  /** The scorers that called it spam ("builtin", "rspamd"). */
  readonly spamBy: readonly string[];
  /** The external scanner's verdict, when it answered. */
  readonly scanner: ScannerVerdictRecord | null;
  /** The refusal sentence the client got. */
  readonly reason: string;
  /** The message's full size in bytes. */
  readonly size: number;
  /** True when only the first EVIDENCE_MAX_BYTES were kept. */
  readonly truncated: boolean;
}

/** What the unblocking admin says about the restriction (the optional step at unblock). */
export type UnblockVerdict = 'false-positive' | 'confirmed-hijack';

/** The unblock verdicts, for validation at the edges. */
export const UNBLOCK_VERDICTS: readonly UnblockVerdict[] = ['false-positive', 'confirmed-hijack'];

/**
 * What happened to learning after an unblock: `none` (no verdict given), `not-configured` (no
 * controller), `nothing-kept` (no message to learn from), `learned` or `failed` (the unblock stands).
 */
export interface LearnOutcome {
  readonly state: 'none' | 'not-configured' | 'nothing-kept' | 'learned' | 'failed';
  /** ham for a false positive, spam for a confirmed hijack; null without a verdict. */
  readonly kind: 'ham' | 'spam' | null;
  /** Messages handed to the scanner and how many it took. */
  readonly messages: number;
  readonly learned: number;
  /** The scanner's last answer, or why learning failed. */
  readonly detail: string | null;
}

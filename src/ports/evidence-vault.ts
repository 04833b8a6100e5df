import type { EvidenceRecord } from '../core/evidence/evidence.js';

/** A kept message: its record (what a person reads) and the bytes kept (at most the first 1 MB). */
export interface KeptMessage {
  readonly record: EvidenceRecord;
  readonly raw: Uint8Array;
}

/** Which of a user's kept messages: kept after `after` (exclusive) and up to `until` (inclusive); null is open. */
export interface EvidenceRange {
  readonly after: Date | null;
  readonly until: Date | null;
}

/**
 * The evidence vault: messages that counted as evidence, encrypted at rest by the adapter (the
 * subject, recipients and body never reach the database in clear). Reads of a changed or
 * wrongly keyed row throw DomainError EVIDENCE_UNREADABLE.
 */
export interface EvidenceVault {
  /** Keeps one message; a second put of the same id is ignored. */
  put(message: KeptMessage): Promise<void>;
  /** The user's kept messages in the range, newest first, at most `limit`, without their bytes. */
  list(userId: string, range: EvidenceRange, limit: number): Promise<readonly EvidenceRecord[]>;
  /** One kept message of the user with its bytes, or undefined. */
  read(userId: string, id: string): Promise<KeptMessage | undefined>;
  /** Deletes the user's messages kept after `after` except the newest `keep`; returns how many went. */
  trim(userId: string, after: Date | null, keep: number): Promise<number>;
  /** Deletes messages kept before `before` (the message-log retention); returns how many. */
  prune(before: Date): Promise<number>;
}

/** Teaches the content scanner's classifier (Rspamd's controller, learnham / learnspam); resolves with its answer. */
export interface ContentLearner {
  /** Rejects when the scanner cannot be asked or refuses; resolves with the scanner's reply text. */
  learn(kind: 'ham' | 'spam', raw: Uint8Array): Promise<string>;
}

import type { User } from '../core/directory/user.js';

/** One message-log line as the what-if replay reads it (a subset of MessageRecord, times in epoch ms). */
export interface ReplayRow {
  /** When the message (its MAIL FROM up to DATA) was decided, epoch ms. */
  readonly at: number;
  readonly userId: string;
  /** MAIL FROM as given; names a user deleted since. */
  readonly sender: string;
  /** Recipients accepted, inside and outside the accepted domains. */
  readonly internal: number;
  readonly external: number;
  /** Recipients the policy engine refused, by kind; null on rows from before schema 6. */
  readonly refusedInternal: number | null;
  readonly refusedExternal: number | null;
  /** Every refused recipient (also invalid addresses). */
  readonly refused: number;
  /** The content score, null when DATA was never reached. */
  readonly spamScore: number | null;
  /** relayed | captured | rejected | deferred */
  readonly outcome: string;
  readonly reasonCode: string | null;
}

/** What policy matching needs of a user. */
export type ReplayUser = Pick<User, 'id' | 'email' | 'aliases' | 'groups'>;

/** A restriction the live engine really placed (automatic, by a rule), for the comparison. */
export interface PastRestriction {
  readonly userId: string;
  readonly at: Date;
  /** RestrictionEvidence.rule: external-per-hour, per-day, spam-verdicts, ... */
  readonly rule: string;
}

/**
 * The message log read for a what-if replay, never written. `rows` streams in pages (keyset, so
 * memory stays bounded whatever the log's size), ordered by user, then time, then id.
 */
export interface ReplaySource {
  /** Rows with `since <= at < until` and a user, in pages of at most a few thousand rows. */
  rows(since: Date, until: Date): AsyncIterable<readonly ReplayRow[]>;
  /** The users with these ids that still exist (at most a page's worth per call). */
  users(ids: readonly string[]): Promise<ReadonlyMap<string, ReplayUser>>;
  /** Restrictions placed by a rule (not by an admin) with `since <= at < until`, oldest first. */
  restrictions(since: Date, until: Date): Promise<readonly PastRestriction[]>;
}

import type { Sha256 } from '../../core/audit/chain.js';
import type { Db, StoreKind } from './schema.js';

/**
 * How the cached sending state (kysely-sending-state-store.ts) learns of changes. One object per
 * open store, shared by every context made from it (transactions included).
 */
export interface StateChanges {
  /**
   * Bumped by every write to policies or accepted domains in this process, again after the commit
   * (or rollback) of a transaction that made one, and whenever a change made elsewhere is seen.
   * A cached value read under another generation is never used.
   */
  generation: number;
  /**
   * The users whose restrictions this process wrote under the current generation, oldest first:
   * each write appends its user, and again after the commit (or rollback) of its transaction. A
   * cache drops those users' restriction facts only, so restricting one user leaves every other
   * user's cached state in place. Emptied only together with a generation change (past
   * {@link MAX_RESTRICTED_LOG} entries, `generation` moves instead), so under one generation the
   * log only grows and a reader may keep its place in it by length.
   */
  readonly restricted: string[];
  /**
   * Bumped by every write to users or addresses in this process and again after the commit (or
   * rollback) of a transaction that made one. The senders kept by login (SendingStateStore.sender)
   * are used only under the generation and the directory count they were read under. Kept apart
   * from `generation` because every successful sign-in writes its user (lastSignInAt): that
   * empties the kept senders, not the sending state of every user.
   */
  directory: number;
  /**
   * Asked before every cached read; false means read the store (a CLI command, which caches
   * nothing). SQLite: reads PRAGMA data_version (synchronously, one prepared statement) and bumps
   * `generation` when another connection committed. PostgreSQL: reads the audit log's head
   * (`max(seq)`, one index lookup shared by every command waiting for it) and bumps `generation`
   * when it moved: every change to restrictions, policies and accepted domains appends its audit
   * entry in its own transaction, and appends are serialised across nodes.
   */
  probe(): boolean | Promise<boolean>;
}

/** Tells the audit checkpointer that entries were committed (set once, after the store opened). */
export interface AuditCommitSignal {
  listener: (() => void) | undefined;
}

/** What every Kysely store needs: the connection (or transaction) and a few facts about it. */
export interface StoreContext {
  readonly db: Db;
  readonly kind: StoreKind;
  /** True inside UnitOfWork.run: multi-statement writes join that transaction instead of opening one. */
  readonly inTransaction: boolean;
  /** The audit chain's digest: HMAC-SHA-256 with the audit key in production (main.ts). */
  readonly auditMac: Sha256;
  /** Where the database is (file path or host:port/name), for error messages; never holds a password. */
  readonly where: string;
  readonly auditCommitted: AuditCommitSignal;
  /**
   * How user search runs: 'index' (SQLite FTS5 trigram, PostgreSQL pg_trgm; migration 010) or
   * 'scan' (PostgreSQL without the pg_trgm extension: the same results, read row by row).
   */
  readonly userSearch: 'index' | 'scan';
  /** Inside UnitOfWork.run: set when the transaction appended an audit entry. */
  readonly txAudit?: { touched: boolean } | undefined;
  readonly changes: StateChanges;
  /**
   * Inside UnitOfWork.run: what the transaction changed of the sending state (bump or note again
   * after the commit): `touched` policies or domains, `directory` users, `users` whose restrictions.
   */
  readonly txState?: { touched: boolean; directory: boolean; users: string[] } | undefined;
}

/**
 * Called right after a write to restrictions, policies or accepted domains: drops this process's
 * cached sending state at once (and again after the transaction ends), so this node never waits
 * for the store's own change signal to see its own change.
 */
export function stateChanged(ctx: StoreContext): void {
  ctx.changes.generation += 1;
  if (ctx.txState) ctx.txState.touched = true;
}

/** Most users {@link StateChanges.restricted} lists before a full generation change replaces it. */
export const MAX_RESTRICTED_LOG = 4096;

/**
 * Called right after a write to one user's restrictions: drops that user's cached restriction
 * facts in this process at once (and again after the transaction ends), leaving everyone else's.
 */
export function restrictionChanged(ctx: StoreContext, userId: string): void {
  noteRestricted(ctx.changes, userId);
  ctx.txState?.users.push(userId);
}

/** Appends to {@link StateChanges.restricted}, or moves the generation when the log is full. */
export function noteRestricted(changes: StateChanges, userId: string): void {
  if (changes.restricted.length >= MAX_RESTRICTED_LOG) {
    changes.generation += 1;
    changes.restricted.length = 0;
  } else changes.restricted.push(userId);
}

/** Called right after a write to users or addresses: drops the senders kept by login (see StateChanges.directory). */
export function directoryChanged(ctx: StoreContext): void {
  ctx.changes.directory += 1;
  if (ctx.txState) ctx.txState.directory = true;
}

/** Runs `work` in the surrounding transaction, or in a new one outside UnitOfWork.run. */
export function inTransaction<T>(ctx: StoreContext, work: (db: Db) => Promise<T>): Promise<T> {
  return ctx.inTransaction ? work(ctx.db) : ctx.db.transaction().execute(work);
}

import { sql } from 'kysely';
import type { Sha256 } from '../../core/audit/chain.js';
import type { Db, StoreKind } from './schema.js';

/** The PostgreSQL channel every node LISTENs on; a NOTIFY rides in the transaction of the change. */
export const STATE_CHANNEL = 'sendwarden_state';

/**
 * How the cached sending state (kysely-sending-state-store.ts) learns of changes. One object per
 * open store, shared by every context made from it (transactions included).
 */
export interface StateChanges {
  /**
   * Bumped by every write to restrictions, policies or accepted domains in this process, again
   * after the commit (or rollback) of a transaction that made one, and whenever a change made
   * elsewhere is seen. A cached value read under another generation is never used.
   */
  generation: number;
  /**
   * Asked before every cached read. SQLite: reads PRAGMA data_version (synchronously, a cached
   * statement) and bumps `generation` when another connection committed; always true.
   * PostgreSQL: true only while the LISTEN connection is up; false means read the store.
   */
  probe(): boolean;
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
  /** Inside UnitOfWork.run: set when the transaction appended an audit entry. */
  readonly txAudit?: { touched: boolean } | undefined;
  readonly changes: StateChanges;
  /** Inside UnitOfWork.run: set when the transaction changed the sending state (bump again after commit). */
  readonly txState?: { touched: boolean } | undefined;
}

/**
 * Called right after a write to restrictions, policies or accepted domains, on the same
 * connection or transaction: drops this process's cached sending state, and on PostgreSQL
 * queues a NOTIFY that PostgreSQL delivers to every node when (and only if) the change commits.
 */
export async function stateChanged(ctx: StoreContext, db: Db = ctx.db): Promise<void> {
  ctx.changes.generation += 1;
  if (ctx.txState) ctx.txState.touched = true;
  if (ctx.kind === 'postgres') await sql`select pg_notify(${STATE_CHANNEL}, '')`.execute(db);
}

/** Runs `work` in the surrounding transaction, or in a new one outside UnitOfWork.run. */
export function inTransaction<T>(ctx: StoreContext, work: (db: Db) => Promise<T>): Promise<T> {
  return ctx.inTransaction ? work(ctx.db) : ctx.db.transaction().execute(work);
}

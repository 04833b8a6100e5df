import type { Sha256 } from '../../core/audit/chain.js';
import type { Db, StoreKind } from './schema.js';

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
}

/** Runs `work` in the surrounding transaction, or in a new one outside UnitOfWork.run. */
export function inTransaction<T>(ctx: StoreContext, work: (db: Db) => Promise<T>): Promise<T> {
  return ctx.inTransaction ? work(ctx.db) : ctx.db.transaction().execute(work);
}

import type { Sha256 } from '../../core/audit/chain.js';
import type { EvidenceVault } from '../../ports/evidence-vault.js';
import type { ReplaySource } from '../../ports/replay-source.js';
import { KyselyEvidenceVault } from './kysely-evidence-vault.js';
import type { Stores, UnitOfWork } from '../../ports/stores.js';
import { KyselyReplaySource } from './kysely-replay-source.js';
import { kyselyStores } from './kysely-stores.js';
import { KyselyUnitOfWork } from './kysely-unit-of-work.js';
import { migrate } from './migrator.js';
import { userSearchMode } from './search-index.js';
import type { Db, StoreKind } from './schema.js';
import { sql } from 'kysely';
import type { StateChanges, StoreContext } from './store-context.js';
import { guardStore, toStoreError } from './store-errors.js';

/**
 * `read` shared by every caller that arrives while one runs, except that a caller never gets an
 * answer to a query sent before it arrived: it waits for the next one (at most one queued).
 * Many sessions' commands then cost one round trip per round trip time, however many there are.
 */
function coalesced(read: () => Promise<string>): () => Promise<string> {
  let running: Promise<string> | undefined;
  let queued: Promise<string> | undefined;
  const start = (): Promise<string> => {
    const p = read().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return () => {
    if (running === undefined) return start();
    queued ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}

/** Where the store lives: a SQLite file (the embedded default) or a PostgreSQL URL (DATABASE_URL). */
export type StoreOptions =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** How the store is used: a server node caches the sending state, a CLI command does not. */
export interface OpenOptions {
  /**
   * Cache the sending state between commands (kysely-sending-state-store.ts). Default false:
   * every read goes to the store (a CLI command reads once and exits).
   */
  readonly cacheSendingState?: boolean;
  /**
   * SQLite only: checkpoint the WAL on a worker thread, not in the commits on the event loop
   * (dialects/sqlite-checkpointer.ts). Default false; a server node sets it.
   */
  readonly checkpointInBackground?: boolean;
  /** Told when that worker fails and SQLite's own checkpoints take over again (a server logs it). */
  readonly onCheckpointerFailure?: (reason: string) => void;
}

/** An open, migrated store. */
export interface KyselyStore {
  readonly kind: StoreKind;
  /** Runs work in one transaction with every store bound to it. */
  readonly uow: UnitOfWork;
  /** Stores outside any transaction; each multi-statement write still commits atomically on its own. */
  readonly stores: Stores;
  /** Calls `listener` after every commit that appended audit entries (the checkpointer). */
  onAuditCommitted(listener: () => void): void;
  /** The message log read for what-if replays (read only, keyset pages). */
  readonly replay: ReplaySource;
  /**
   * How user search runs: 'index', or 'scan' on PostgreSQL when the pg_trgm extension could not
   * be created (same results, slower on a large directory; the server logs a warning).
   */
  readonly userSearch: 'index' | 'scan';
  /** The evidence vault, sealed with `key` (32 bytes, derived from SENDWARDEN_SECRET, purpose "evidence"). */
  evidenceVault(key: Uint8Array): EvidenceVault;
  /** The schema version after migration. */
  readonly schemaVersion: number;
  /** A cheap counter that changes when another connection commits (SQLite PRAGMA data_version); 0 on PostgreSQL. */
  dataVersion(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the store and migrates it to the current schema. Throws DomainError
 * DATA_DIR_NOT_WRITABLE, SCHEMA_CORRUPT, SCHEMA_TOO_NEW or STORE_UNAVAILABLE with a
 * sentence a person can act on.
 */
export async function openStore(options: StoreOptions, auditMac: Sha256, open: OpenOptions = {}): Promise<KyselyStore> {
  let db: Db;
  let where: string;
  let dataVersion: () => Promise<number>;
  const changes: StateChanges = { generation: 0, directory: 0, restricted: [], probe: () => false };
  // Only the chosen driver loads (better-sqlite3 or pg): a CLI command pays for one.
  if (options.kind === 'sqlite') {
    const { openSqlite } = await import('./dialects/sqlite.js');
    const conn = openSqlite(options.file, {
      checkpointInBackground: open.checkpointInBackground === true,
      onCheckpointerFailure: open.onCheckpointerFailure,
    });
    ({ db, where } = conn);
    dataVersion = conn.dataVersion;
    if (open.cacheSendingState === true) {
      let seen = conn.dataVersionNow();
      // PRAGMA data_version opens a read transaction (WAL shared-memory locks): about 4 us, more
      // under load; the policy service asked it twice per request. One reading serves every
      // command handled in the same turn of the event loop: all of those requests had arrived
      // before the turn began (libuv polled for them), so a commit made before any of them was
      // sent is already visible to the first reading. The next turn (setImmediate) reads again.
      let readThisTurn = false;
      const nextTurn = () => {
        readThisTurn = false;
      };
      changes.probe = () => {
        if (readThisTurn) return true;
        readThisTurn = true;
        setImmediate(nextTurn);
        const now = conn.dataVersionNow();
        if (now !== seen) {
          seen = now;
          changes.generation += 1;
        }
        return true;
      };
    }
  } else {
    const { openPostgres } = await import('./dialects/postgres.js');
    ({ db, where } = await openPostgres(options.url));
    dataVersion = () => Promise.resolve(0);
  }
  let schemaVersion: number;
  let userSearch: 'index' | 'scan';
  try {
    schemaVersion = await migrate(db, options.kind, where, new Date());
    userSearch = await userSearchMode(db, options.kind);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw toStoreError(err, where);
  }
  if (options.kind === 'postgres' && open.cacheSendingState === true) {
    const head = coalesced(async () => {
      const r = await sql<{ v: string | null }>`select max(seq)::text as v from audit_log`.execute(db);
      return r.rows[0]?.v ?? '';
    });
    let seen: string | undefined;
    changes.probe = async () => {
      const now = await head();
      if (now !== seen) {
        seen = now;
        changes.generation += 1;
      }
      return true;
    };
  }
  const auditCommitted = { listener: undefined as (() => void) | undefined };
  const ctx: StoreContext = {
    db,
    kind: options.kind,
    inTransaction: false,
    auditMac,
    where,
    auditCommitted,
    userSearch,
    changes,
  };
  let closed = false;
  return {
    kind: options.kind,
    uow: new KyselyUnitOfWork(ctx),
    stores: kyselyStores(ctx),
    replay: guardStore(new KyselyReplaySource(ctx), where),
    schemaVersion,
    userSearch,
    evidenceVault: (key) => guardStore(new KyselyEvidenceVault(db, key), where),
    onAuditCommitted(listener) {
      auditCommitted.listener = listener;
    },
    async dataVersion() {
      try {
        return await dataVersion();
      } catch (err) {
        throw toStoreError(err, where);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

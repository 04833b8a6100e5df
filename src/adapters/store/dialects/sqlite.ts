import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import { DomainError } from '../../../core/errors.js';
import type { Database, Db } from '../schema.js';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';
import { corruptMessage, driverCode, isCorruption } from '../store-errors.js';

/**
 * BEGIN IMMEDIATE takes the write lock up front, so a writer in another process (the CLI
 * next to the server) waits under busy_timeout instead of failing with SQLITE_BUSY when a
 * deferred transaction's read lock cannot be upgraded.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #beforeDestroy: () => Promise<void>;

  constructor(config: SqliteDialectConfig, beforeDestroy: () => Promise<void>) {
    super(config);
    this.#beforeDestroy = beforeDestroy;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /** `db.destroy()` stops what runs beside the connection (the checkpointer) before closing it. */
  override async destroy(): Promise<void> {
    await this.#beforeDestroy();
    await super.destroy();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #beforeDestroy: () => Promise<void>;

  constructor(config: SqliteDialectConfig, beforeDestroy: () => Promise<void>) {
    super(config);
    this.#config = config;
    this.#beforeDestroy = beforeDestroy;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#beforeDestroy);
  }
}

/** An open SQLite database and what the store needs to know about it. */
export interface SqliteConnection {
  readonly db: Db;
  readonly where: string;
  /** PRAGMA data_version: changes whenever another connection (the CLI, another process) commits. */
  dataVersion(): Promise<number>;
  /** The same, read synchronously through one prepared statement (no Kysely, no prepare): the cache's probe. */
  dataVersionNow(): number;
  /** The WAL checkpointer's worker, when opened with `checkpointInBackground`; `db.destroy()` stops it. */
  readonly checkpointer: Checkpointer | undefined;
}

/** Distinct SQL texts whose prepared statements are kept (the application has a few hundred). */
const STATEMENT_CACHE = 500;

/**
 * The database as Kysely sees it, with `prepare` remembered per SQL text: Kysely prepares every
 * query again, and better-sqlite3's prepare was 16% of the Postfix policy service's CPU
 * (issue 14). A statement still being iterated (a stream) is busy; then a fresh one is prepared.
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (text: string) => {
      const cached = statements.get(text);
      if (cached !== undefined && !cached.busy) return cached;
      const statement = database.prepare(text);
      if (cached === undefined) {
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value as string);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

function notWritable(dir: string, err: unknown): DomainError {
  const code = driverCode(err);
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return new DomainError(
      'DATA_DIR_NOT_WRITABLE',
      `Sendwarden cannot use the data directory ${dir}: a file is in the way of it. Move that file, or set SENDWARDEN_DATA_DIR to a writable directory.`,
      { cause: err, details: { dir } },
    );
  }
  return new DomainError(
    'DATA_DIR_NOT_WRITABLE',
    `Sendwarden cannot write to the data directory ${dir} (${driverCode(err) ?? 'not writable'}). Give the user running Sendwarden write access to it, or set SENDWARDEN_DATA_DIR to a writable directory.`,
    { cause: err, details: { dir } },
  );
}

/**
 * Opens (creating if needed) the SQLite file with WAL, busy_timeout 5000 and foreign keys,
 * translating the start-up failures a person can fix into DomainErrors. With
 * `checkpointInBackground` (a server node) the WAL is checkpointed by a worker thread instead of
 * by the commits on the event loop (sqlite-checkpointer.ts).
 */
export function openSqlite(
  file: string,
  options: {
    readonly checkpointInBackground?: boolean;
    /** Told when the checkpointer's worker fails (the commits then checkpoint as SQLite does by default). */
    readonly onCheckpointerFailure?: (reason: string) => void;
  } = {},
): SqliteConnection {
  const where = path.resolve(file);
  const dir = path.dirname(where);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw notWritable(dir, err);
  }
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(where);
  } catch (err) {
    if (isCorruption(err)) throw new DomainError('SCHEMA_CORRUPT', corruptMessage(where, err), { cause: err });
    throw notWritable(dir, err);
  }
  try {
    database.pragma('busy_timeout = 5000');
    database.pragma('journal_mode = WAL');
    // WAL makes NORMAL durable against application crashes; only an OS crash can lose the last commit.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.prepare('select count(*) from sqlite_master').get();
  } catch (err) {
    database.close();
    if (isCorruption(err)) throw new DomainError('SCHEMA_CORRUPT', corruptMessage(where, err), { cause: err });
    const code = driverCode(err);
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR')
      throw notWritable(dir, err);
    throw new DomainError(
      'STORE_UNAVAILABLE',
      `The database at ${where} could not be opened (${code ?? 'unknown error'}).`,
      {
        cause: err,
      },
    );
  }
  const checkpointer =
    options.checkpointInBackground === true
      ? startCheckpointer(
          where,
          (pages) => {
            if (database.open) database.pragma(`wal_autocheckpoint = ${pages}`);
          },
          { onFailure: options.onCheckpointerFailure },
        )
      : undefined;
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect(
      { database: withStatementCache(database) },
      () => checkpointer?.stop() ?? Promise.resolve(),
    ),
  });
  const version = database.prepare('pragma data_version').pluck();
  return {
    db,
    where,
    checkpointer,
    dataVersionNow: () => Number(version.get()),
    async dataVersion() {
      const r = await sql<{ data_version: number }>`pragma data_version`.execute(db);
      return Number(r.rows[0]?.data_version ?? 0);
    },
  };
}

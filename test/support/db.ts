/**
 * Disposable stores for tests: a fresh SQLite file in a temp dir, or a fresh PostgreSQL
 * database (sw_test_<random>) on POSTGRES_URL. `cleanup` removes them even after a failure
 * and is safe to call twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, type KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { HAS_POSTGRES, POSTGRES_URL } from './services.js';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface TestStore {
  readonly store: KyselyStore;
  /** Where the database is: the SQLite file path or the PostgreSQL URL (for raw SQL in tests). */
  readonly location: string;
  /** Runs raw SQL on a separate connection, e.g. to tamper with a row; `?` placeholders become $n on PostgreSQL. */
  rawQuery(text: string, params?: readonly unknown[]): Promise<unknown[]>;
  /** Closes the store (if open) and removes the database. */
  cleanup(): Promise<void>;
}

/** A fresh temp directory for SQLite files; remove it with the returned function. */
export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sw-store-'));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

export async function sqliteRawQuery(file: string, text: string, params: readonly unknown[] = []): Promise<unknown[]> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const stmt = db.prepare(text);
    return stmt.reader ? stmt.all(...params) : [stmt.run(...params)];
  } finally {
    db.close();
  }
}

export async function postgresRawQuery(url: string, text: string, params: readonly unknown[] = []): Promise<unknown[]> {
  let n = 0;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(
      text.replace(/\?/g, () => `$${++n}`),
      [...params],
    );
    return r.rows;
  } finally {
    await client.end();
  }
}

export async function withSqliteStore(): Promise<TestStore> {
  const tmp = await makeTempDir();
  const file = path.join(tmp.dir, 'sendwarden.db');
  let store: KyselyStore | undefined;
  try {
    store = await openStore({ kind: 'sqlite', file }, sha256);
  } catch (err) {
    await tmp.remove();
    throw err;
  }
  const opened = store;
  return {
    store: opened,
    location: file,
    rawQuery: (text, params) => sqliteRawQuery(file, text, params),
    async cleanup() {
      await opened.close();
      await tmp.remove();
    },
  };
}

/** The URL of `database` on the same server as POSTGRES_URL. */
export function postgresUrlFor(database: string): string {
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty database sw_test_<random>; returns its URL and a drop function that first ends every connection. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sw_test_${randomBytes(6).toString('hex')}`;
  await postgresRawQuery(POSTGRES_URL, `create database ${name}`);
  let dropped = false;
  return {
    url: postgresUrlFor(name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await postgresRawQuery(
        POSTGRES_URL,
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
        [name],
      );
      await postgresRawQuery(POSTGRES_URL, `drop database if exists ${name} with (force)`);
    },
  };
}

export async function withPostgresStore(): Promise<TestStore> {
  const { url, drop } = await createPostgresDatabase();
  let store: KyselyStore | undefined;
  try {
    store = await openStore({ kind: 'postgres', url }, sha256);
  } catch (err) {
    await drop();
    throw err;
  }
  const opened = store;
  return {
    store: opened,
    location: url,
    rawQuery: (text, params) => postgresRawQuery(url, text, params),
    async cleanup() {
      try {
        await opened.close();
      } finally {
        await drop();
      }
    },
  };
}

/** One entry per backend, for `describe.each(backends)`; PostgreSQL is skipped when it does not answer. */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  readonly skip: boolean;
  open(): Promise<TestStore>;
}

export const backends: readonly Backend[] = [
  { name: 'sqlite', skip: false, open: withSqliteStore },
  { name: 'postgres', skip: !HAS_POSTGRES, open: withPostgresStore },
];

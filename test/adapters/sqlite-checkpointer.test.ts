import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteConnection } from '../../src/adapters/store/dialects/sqlite.js';
import {
  FALLBACK_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
} from '../../src/adapters/store/dialects/sqlite-checkpointer.js';

const opened: { conn: SqliteConnection; dir: string }[] = [];

async function open(checkpointInBackground: boolean) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-checkpointer-'));
  const file = path.join(dir, 'sendwarden.db');
  const conn = openSqlite(file, { checkpointInBackground });
  opened.push({ conn, dir });
  return { conn, file };
}

/** About 2,000 pages of rows, committed in ten transactions: well under the fallback's 10,000 pages. */
async function writePages(conn: SqliteConnection): Promise<void> {
  await sql`create table filler (b blob)`.execute(conn.db);
  for (let t = 0; t < 10; t++) {
    await conn.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 200; i++) await sql`insert into filler values (randomblob(4000))`.execute(tx);
    });
  }
}

async function autocheckpoint(conn: SqliteConnection): Promise<number> {
  const r = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(conn.db);
  return Number(r.rows[0]?.wal_autocheckpoint);
}

afterEach(async () => {
  for (const { conn, dir } of opened.splice(0)) {
    // destroy() stops the checkpointer first (the dialect's driver).
    await conn.db.destroy();
    expect(conn.checkpointer?.running ?? false).toBe(false);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('the SQLite WAL checkpointer (a worker thread, off the event loop)', () => {
  it('copies committed pages into the database file by itself, without a commit checkpointing', async () => {
    const { conn, file } = await open(true);
    expect(conn.checkpointer?.running).toBe(true);
    // The commits on the event loop no longer checkpoint at 1,000 pages.
    expect(await autocheckpoint(conn)).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    await writePages(conn);
    const versionBefore = conn.dataVersionNow();
    const deadline = Date.now() + 10_000;
    while ((conn.checkpointer?.framesCheckpointed ?? 0) < 2000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(conn.checkpointer?.framesCheckpointed).toBeGreaterThanOrEqual(2000);
    // The rows are in the database file itself, not only in the WAL.
    expect((await stat(file)).size).toBeGreaterThan(7_000_000);
    // A checkpoint is not a commit: the sending-state cache's probe sees no change from elsewhere.
    expect(conn.dataVersionNow()).toBe(versionBefore);
    const rows = await sql<{ n: number }>`select count(*) as n from filler`.execute(conn.db);
    expect(Number(rows.rows[0]?.n)).toBe(2000);
  });

  it('is not started for a one-off connection (the CLI), whose commits checkpoint as SQLite does', async () => {
    const { conn, file } = await open(false);
    expect(conn.checkpointer).toBeUndefined();
    expect(await autocheckpoint(conn)).toBe(1000);
    await writePages(conn);
    // The default checkpoint ran in the commits: the pages reached the file here too.
    expect((await stat(file)).size).toBeGreaterThan(3_000_000);
  });

  it('says why when its worker fails, and gives the commits back their checkpoints', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-checkpointer-'));
    try {
      const pages: number[] = [];
      const failures: string[] = [];
      // No such file: the worker's connection (fileMustExist) fails at once.
      const checkpointer = startCheckpointer(path.join(dir, 'missing.db'), (n) => pages.push(n), {
        intervalMs: 50,
        onFailure: (reason) => failures.push(reason),
      });
      const deadline = Date.now() + 10_000;
      while (checkpointer.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(checkpointer.running).toBe(false);
      expect(failures).toHaveLength(1);
      // better-sqlite3's SqliteError crosses the thread as its code only.
      expect(failures[0]).toBe('SQLITE_CANTOPEN');
      expect(pages).toEqual([FALLBACK_AUTOCHECKPOINT_PAGES, 1000]);
      await checkpointer.stop();
      expect(failures).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops, after which the main connection checkpoints again, and a second stop is harmless', async () => {
    const { conn } = await open(true);
    await conn.checkpointer?.stop();
    expect(conn.checkpointer?.running).toBe(false);
    await conn.checkpointer?.stop();
  });
});

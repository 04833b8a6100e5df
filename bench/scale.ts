/**
 * Issue 14, `npm run bench -- --scale-only` (also part of the full run): what the directory search
 * and the Home overview cost as the data grows, on a temp SQLite file and, when it answers, a
 * throwaway PostgreSQL database, all in the same run.
 *  - search: `users.list({ search: 'rob' })` on 1,000 and 100,000 users, the same 20 users matching
 *    (so the ratio measures the index, not a longer answer); also the scan it replaced (the old
 *    SQL, timed on the same data) and a 2-character needle (no trigram: it scans, as before);
 *  - overview: `hourlyCounts` + `topSenders(10)` of the last 24 hours (what Home reads from the
 *    log) with 1,000 and 1,000,000 log rows in those 24 hours from 10,000 senders, and the old
 *    recount from the log on the same rows.
 */
import { sql } from 'kysely';
import type { User } from '../src/core/directory/user.js';
import { HOUR_MS, rebuildRollups, windowStartFor } from '../src/adapters/store/message-rollups.js';
import type { Db } from '../src/adapters/store/schema.js';
import { makeUser } from '../test/support/builders.js';
import { withPostgresStore, withSqliteStore, type TestStore } from '../test/support/db.js';
import { HAS_POSTGRES } from '../test/support/services.js';
import { median } from './stats.js';

/** One side's figures (medians in ms). */
export interface ScaleResult {
  readonly backend: string;
  readonly search: {
    small: number;
    large: number;
    oldSmall: number;
    oldLarge: number;
    shortSmall: number;
    shortLarge: number;
  };
  readonly overview: { small: number; large: number; oldSmall: number; oldLarge: number };
  readonly loadSeconds: number;
  readonly error?: string;
}

const SYLLABLES = ['ka', 'mi', 'to', 'le', 'sa', 'nu', 'vi', 'da', 'pe', 'zo', 'ha', 'ly', 'an', 'el', 'in', 'us'];
const MATCHING = 20;

function syllables(i: number, count: number): string {
  let s = '';
  let x = i;
  for (let k = 0; k < count; k++) {
    s += SYLLABLES[x % SYLLABLES.length];
    x = Math.floor(x / SYLLABLES.length) + k * 7 + 3;
  }
  return s;
}

/** `size` users, exactly MATCHING of them matching "rob" (name, address or alias), none of the rest. */
function directory(size: number): User[] {
  const users: User[] = [];
  for (let i = 0; i < size - MATCHING; i++) {
    const first = syllables(i, 2);
    const last = syllables(i * 31 + 7, 3);
    const name = `${first[0]?.toUpperCase()}${first.slice(1)} ${last[0]?.toUpperCase()}${last.slice(1)}`;
    users.push(
      makeUser(`${first}.${last}${i}@contoso.com`, { displayName: name, aliases: [`${last}${i}@contoso.org`] }),
    );
  }
  for (let i = 0; i < MATCHING; i++) {
    const kind = i % 3;
    users.push(
      makeUser(kind === 0 ? `rob${i}@contoso.com` : `match${i}@contoso.com`, {
        displayName: kind === 1 ? `Robin Match${i}` : `Match ${i}`,
        aliases: kind === 2 ? [`probe${i}@contoso.org`] : [],
      }),
    );
  }
  return users;
}

async function timeMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/** The search as it was before migration 010: a scan of users with a correlated EXISTS on addresses. */
function oldSearch(db: Db, needle: string) {
  const p = `%${needle}%`;
  const cond = sql`(u.display_name_lower like ${p} escape '!' or exists (select 1 from addresses sa where sa.user_id = u.id and sa.address like ${p} escape '!'))`;
  return Promise.all([
    sql`select u.* from users u where ${cond} order by u.email limit 50`.execute(db),
    sql`select count(*) from users u where ${cond}`.execute(db),
  ]);
}

/** The overview's log reads as they were before migration 011. */
function oldOverview(db: Db, since: number) {
  return Promise.all([
    sql`select at - (at % ${sql.lit(HOUR_MS)}) as hour, outcome, count(*) as n from message_log where at >= ${since} group by 1, 2 order by 1, 2`.execute(
      db,
    ),
    sql`select sender, count(*) as n from message_log where at >= ${since} group by sender order by n desc, sender limit 10`.execute(
      db,
    ),
  ]);
}

async function fillLog(t: TestStore, rows: number, senders: number, nowMs: number): Promise<void> {
  const span = 24 * HOUR_MS - 1;
  const start = Math.floor(nowMs / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const columns =
    'id, at, user_id, sender, recipients_internal, recipients_external, recipients_refused, size, is_spam, outcome';
  const select = (series: string) => `
    select 'm' || g, ${start} + ((g * 7919) % ${Math.min(span, nowMs - start)}), 'user-' || (g % ${senders}),
      'u' || ((g * 13) % ${senders}) || '@contoso.com', 0, 1, 0, 1000, 0,
      case when g % 17 = 0 then 'rejected' when g % 29 = 0 then 'deferred' else 'relayed' end from ${series}`;
  if (t.store.kind === 'postgres') {
    await t.rawQuery(`insert into message_log (${columns}) ${select(`generate_series(0::bigint, ${rows - 1}) as g`)}`);
  } else {
    await t.rawQuery(
      `insert into message_log (${columns}) with recursive s(g) as (select 0 union all select g + 1 from s where g < ${rows - 1}) ${select('s')}`,
    );
  }
}

async function side(name: string, open: () => Promise<TestStore>, log: (line: string) => void): Promise<ScaleResult> {
  const started = performance.now();
  const stores = { small: await open(), large: await open() };
  // Every store is removed even when a phase fails.
  try {
    const nowMs = Date.UTC(2026, 10, 23, 12, 30, 0);
    const since = windowStartFor(nowMs);
    for (const [key, size, rows] of [
      ['small', 1_000, 1_000],
      ['large', 100_000, 1_000_000],
    ] as const) {
      const t = stores[key];
      const users = directory(size);
      const t0 = performance.now();
      for (let i = 0; i < users.length; i += 5000) await t.store.stores.users.insertMany(users.slice(i, i + 5000));
      const t1 = performance.now();
      await fillLog(t, rows, 10_000, nowMs);
      const db = await openDb(t);
      await rebuildRollups(db, since);
      await t.rawQuery('analyze');
      log(
        `  ${name} ${key}: ${size} users imported in ${((t1 - t0) / 1000).toFixed(1)} s, ${rows} log rows loaded in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      await db.destroy();
    }
    const searchOf = (t: TestStore, needle: string) => () => t.store.stores.users.list({ search: needle });
    const found = await stores.large.store.stores.users.list({ search: 'rob' });
    if (found.total !== MATCHING) throw new Error(`search found ${found.total} users, expected ${MATCHING}`);
    const overviewOf = (t: TestStore) => () =>
      Promise.all([
        t.store.stores.messages.hourlyCounts(new Date(since)),
        t.store.stores.messages.topSenders(new Date(since), 10),
      ]);
    const dbs = { small: await openDb(stores.small), large: await openDb(stores.large) };
    try {
      return {
        backend: name,
        search: {
          small: await timeMs(30, searchOf(stores.small, 'rob')),
          large: await timeMs(30, searchOf(stores.large, 'rob')),
          oldSmall: await timeMs(10, () => oldSearch(dbs.small, 'rob')),
          oldLarge: await timeMs(10, () => oldSearch(dbs.large, 'rob')),
          shortSmall: await timeMs(10, searchOf(stores.small, 'ro')),
          shortLarge: await timeMs(10, searchOf(stores.large, 'ro')),
        },
        overview: {
          small: await timeMs(30, overviewOf(stores.small)),
          large: await timeMs(30, overviewOf(stores.large)),
          oldSmall: await timeMs(5, () => oldOverview(dbs.small, since)),
          oldLarge: await timeMs(5, () => oldOverview(dbs.large, since)),
        },
        loadSeconds: (performance.now() - started) / 1000,
      };
    } finally {
      await dbs.small.destroy();
      await dbs.large.destroy();
    }
  } finally {
    await stores.small.cleanup();
    await stores.large.cleanup();
  }
}

/** A second connection on the same database, for the bulk load and the old queries. */
async function openDb(t: TestStore): Promise<Db> {
  if (t.store.kind === 'postgres') {
    const { openPostgres } = await import('../src/adapters/store/dialects/postgres.js');
    return (await openPostgres(t.location)).db;
  }
  const { openSqlite } = await import('../src/adapters/store/dialects/sqlite.js');
  return openSqlite(t.location).db;
}

/** Prints one side's lines. */
function report(r: ScaleResult, out: (line?: string) => void): void {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 0) : 'n/a');
  if (r.error) {
    out(`  ${r.backend.padEnd(9)} ${r.error}`);
    return;
  }
  const s = r.search;
  const o = r.overview;
  out(
    `  ${r.backend.padEnd(9)} search "rob": ${f(s.small)} ms at 1k, ${f(s.large)} ms at 100k: ratio ${f(s.large / s.small)} (goal <= 3); ` +
      `old scan ${f(s.oldSmall)} / ${f(s.oldLarge)} ms (ratio ${f(s.oldLarge / s.oldSmall)}); "ro" (no trigram, scans) ${f(s.shortSmall)} / ${f(s.shortLarge)} ms`,
  );
  out(
    `  ${r.backend.padEnd(9)} overview: ${f(o.small)} ms at 1k rows, ${f(o.large)} ms at 1M: ratio ${f(o.large / o.small)} (goal <= 2); ` +
      `old recount ${f(o.oldSmall)} / ${f(o.oldLarge)} ms (ratio ${f(o.oldLarge / o.oldSmall)}); built and timed in ${r.loadSeconds.toFixed(0)} s`,
  );
}

/** Prints the section, each side as soon as it is done (PostgreSQL only when it answers). */
export async function scaleSection(number: number, out: (line?: string) => void): Promise<ScaleResult[]> {
  out(`\n${number}. Scale (issue 14): user search at 1k and 100k users, Home overview at 1k and 1M log rows (medians)`);
  const sides: [string, () => Promise<TestStore>][] = [['sqlite', withSqliteStore]];
  if (HAS_POSTGRES) sides.push(['postgres', withPostgresStore]);
  const results: ScaleResult[] = [];
  for (const [name, open] of sides) {
    let r: ScaleResult;
    try {
      r = await side(name, open, (line) => out(line));
    } catch (err) {
      const nan = Number.NaN;
      r = {
        backend: name,
        search: { small: nan, large: nan, oldSmall: nan, oldLarge: nan, shortSmall: nan, shortLarge: nan },
        overview: { small: nan, large: nan, oldSmall: nan, oldLarge: nan },
        loadSeconds: nan,
        error: (err as Error).message,
      };
    }
    report(r, out);
    results.push(r);
  }
  return results;
}

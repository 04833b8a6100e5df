import { sql } from 'kysely';
import type { MessageRecord } from '../../core/sending/message-record.js';
import { chunk, rowsPerInsert, toCount } from './codec.js';
import type { Db, StoreKind } from './schema.js';

/** One UTC hour in epoch ms. */
export const HOUR_MS = 3_600_000;
/** The top-senders window starts this many hours before the current hour (the Home overview's 24 hours). */
const WINDOW_HOURS = 23;

/** The hour (epoch ms, a multiple of HOUR_MS) an instant falls in. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The first hour of the top-senders window when the newest message is at `ms`. */
export function windowStartFor(ms: number): number {
  return hourOf(ms) - WINDOW_HOURS * HOUR_MS;
}

function tally<K>(records: readonly MessageRecord[], keyOf: (m: MessageRecord) => K, id: (k: K) => string) {
  const out = new Map<string, { key: K; n: number }>();
  for (const m of records) {
    const key = keyOf(m);
    const k = id(key);
    const seen = out.get(k);
    if (seen) seen.n += 1;
    else out.set(k, { key, n: 1 });
  }
  return [...out.values()];
}

/** The window start, locked until commit on PostgreSQL (SQLite writers are serial). */
async function lockedWindowStart(db: Db, kind: StoreKind): Promise<number> {
  const r =
    kind === 'postgres'
      ? await sql<{
          w: number | string;
        }>`select window_start as w from message_rollup_state where id = 1 for update`.execute(db)
      : await sql<{ w: number | string }>`select window_start as w from message_rollup_state where id = 1`.execute(db);
  return toCount(r.rows[0]?.w);
}

async function setWindowStart(db: Db, w: number): Promise<void> {
  await sql`update message_rollup_state set window_start = ${w} where id = 1`.execute(db);
}

/** Adds `records` to every rollup; call in the transaction that inserts them into message_log. */
export async function addToRollups(db: Db, kind: StoreKind, records: readonly MessageRecord[]): Promise<void> {
  if (records.length === 0) return;
  const byOutcome = tally(
    records,
    (m) => ({ hour: hourOf(m.at.getTime()), outcome: m.outcome }),
    (k) => `${k.hour} ${k.outcome}`,
  );
  const bySender = tally(
    records,
    (m) => ({ hour: hourOf(m.at.getTime()), sender: m.sender }),
    (k) => `${k.hour} ${k.sender}`,
  );
  for (const part of chunk(byOutcome, rowsPerInsert(3))) {
    const values = sql.join(part.map((p) => sql`(${p.key.hour}, ${p.key.outcome}, ${p.n})`));
    await sql`insert into message_hourly (hour, outcome, n) values ${values}
      on conflict (hour, outcome) do update set n = message_hourly.n + excluded.n`.execute(db);
  }
  for (const part of chunk(bySender, rowsPerInsert(3))) {
    const values = sql.join(part.map((p) => sql`(${p.key.hour}, ${p.key.sender}, ${p.n})`));
    await sql`insert into message_hourly_senders (hour, sender, n) values ${values}
      on conflict (hour, sender) do update set n = message_hourly_senders.n + excluded.n`.execute(db);
  }
  const current = await lockedWindowStart(db, kind);
  const inWindow = new Map<string, number>();
  for (const p of bySender) {
    if (p.key.hour >= current) inWindow.set(p.key.sender, (inWindow.get(p.key.sender) ?? 0) + p.n);
  }
  for (const part of chunk([...inWindow], rowsPerInsert(2))) {
    const values = sql.join(part.map(([sender, n]) => sql`(${sender}, ${n})`));
    await sql`insert into message_top_senders (sender, n) values ${values}
      on conflict (sender) do update set n = message_top_senders.n + excluded.n`.execute(db);
  }
  let newest = -Infinity;
  for (const m of records) newest = Math.max(newest, m.at.getTime());
  const next = windowStartFor(newest);
  if (next > current) await advanceWindow(db, current, next);
}

/** Moves the top-senders window from `from` to `to` (later): the hours in between leave it. */
async function advanceWindow(db: Db, from: number, to: number): Promise<void> {
  await sql`update message_top_senders
    set n = n - (select coalesce(sum(h.n), 0) from message_hourly_senders h
                 where h.sender = message_top_senders.sender and h.hour >= ${from} and h.hour < ${to})
    where sender in (select sender from message_hourly_senders where hour >= ${from} and hour < ${to})`.execute(db);
  await sql`delete from message_top_senders where n <= 0`.execute(db);
  await setWindowStart(db, to);
}

/**
 * Keeps the rollups equal to the log after `delete from message_log where at < before`: hours that
 * are wholly gone are dropped, the hour `before` falls inside is recounted from what is left, and
 * the top-senders window is rebuilt if the pruned hours reached into it.
 */
export async function pruneRollups(db: Db, kind: StoreKind, before: number): Promise<void> {
  const cut = hourOf(before);
  await sql`delete from message_hourly where hour < ${cut}`.execute(db);
  await sql`delete from message_hourly_senders where hour < ${cut}`.execute(db);
  if (before > cut) {
    const end = cut + HOUR_MS;
    await sql`delete from message_hourly where hour = ${cut}`.execute(db);
    await sql`delete from message_hourly_senders where hour = ${cut}`.execute(db);
    await sql`insert into message_hourly (hour, outcome, n)
      select ${cut}, outcome, count(*) from message_log where at >= ${cut} and at < ${end} group by outcome`.execute(
      db,
    );
    await sql`insert into message_hourly_senders (hour, sender, n)
      select ${cut}, sender, count(*) from message_log where at >= ${cut} and at < ${end} group by sender`.execute(db);
  }
  const current = await lockedWindowStart(db, kind);
  const firstWhole = before > cut ? cut + HOUR_MS : cut;
  if (current < firstWhole) {
    await sql`delete from message_top_senders`.execute(db);
    await sql`insert into message_top_senders (sender, n)
      select sender, sum(n) from message_hourly_senders where hour >= ${firstWhole} group by sender`.execute(db);
    await setWindowStart(db, firstWhole);
  }
}

/** Messages per hour and outcome at or after `since` (a partial first hour is counted from the log). */
export async function hourlyFromRollups(
  db: Db,
  since: number,
): Promise<{ hour: number; outcome: string; n: number }[]> {
  const first = hourOf(since);
  const whole = since === first ? first : first + HOUR_MS;
  const partial =
    since === first
      ? []
      : (
          await sql<{ outcome: string; n: number | string }>`
            select outcome, count(*) as n from message_log where at >= ${since} and at < ${whole} group by outcome`.execute(
            db,
          )
        ).rows.map((r) => ({ hour: first, outcome: r.outcome, n: toCount(r.n) }));
  const rows = await sql<{ hour: number | string; outcome: string; n: number | string }>`
    select hour, outcome, n from message_hourly where hour >= ${whole} and n > 0 order by hour, outcome`.execute(db);
  return [
    ...partial.sort((a, b) => (a.outcome < b.outcome ? -1 : 1)),
    ...rows.rows.map((r) => ({ hour: Number(r.hour), outcome: r.outcome, n: toCount(r.n) })),
  ];
}

/**
 * The `limit` busiest senders at or after `since`, by count then address. When `since` is the
 * window start (the overview, with mail in the current hour) this is an indexed read of
 * `message_top_senders`; otherwise it sums the hourly rollups (and the log for a partial hour).
 */
export async function topFromRollups(db: Db, since: number, limit: number): Promise<{ sender: string; n: number }[]> {
  const state = await sql<{
    w: number | string;
  }>`select window_start as w from message_rollup_state where id = 1`.execute(db);
  if (toCount(state.rows[0]?.w) === since) {
    const r = await sql<{ sender: string; n: number | string }>`
      select sender, n from message_top_senders order by n desc, sender limit ${limit}`.execute(db);
    return r.rows.map((x) => ({ sender: x.sender, n: toCount(x.n) }));
  }
  const first = hourOf(since);
  const whole = since === first ? first : first + HOUR_MS;
  const r = await sql<{ sender: string; n: number | string }>`
    select sender, sum(n) as n from (
      select sender, n from message_hourly_senders where hour >= ${whole}
      union all
      select sender, 1 as n from message_log where at >= ${since} and at < ${whole}
    ) t group by sender order by sum(n) desc, sender limit ${limit}`.execute(db);
  return r.rows.map((x) => ({ sender: x.sender, n: toCount(x.n) }));
}

/**
 * Recounts every rollup from message_log (what migration 011 does once), with the top-senders
 * window starting at `windowStart`. For rows written around the store (a bulk load).
 */
export async function rebuildRollups(db: Db, windowStart: number): Promise<void> {
  const hour = sql.raw(`(at - (at % ${HOUR_MS}))`);
  await db.transaction().execute(async (trx) => {
    for (const table of ['message_hourly', 'message_hourly_senders', 'message_top_senders']) {
      await sql`delete from ${sql.table(table)}`.execute(trx);
    }
    await sql`insert into message_hourly (hour, outcome, n) select ${hour}, outcome, count(*) from message_log group by 1, 2`.execute(
      trx,
    );
    await sql`insert into message_hourly_senders (hour, sender, n) select ${hour}, sender, count(*) from message_log group by 1, 2`.execute(
      trx,
    );
    await sql`insert into message_top_senders (sender, n)
      select sender, sum(n) from message_hourly_senders where hour >= ${windowStart} group by sender`.execute(trx);
    await setWindowStart(trx, windowStart);
  });
}

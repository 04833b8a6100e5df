import { sql } from 'kysely';
import type { Migration } from './migration.js';

const HOUR_MS = 3_600_000;
/** The Home overview's window: the current hour and the 23 before it. */
const WINDOW_HOURS = 23;

/**
 * Issue 14: the Home overview from rollups kept as messages are logged (adapters/store/message-rollups.ts).
 * `message_hourly` counts messages per UTC hour and outcome, `message_hourly_senders` per hour and
 * sender; `message_top_senders` holds each sender's total over the hours from
 * `message_rollup_state.window_start` on (the overview's 24 hours), so the top senders are an
 * indexed read. Backfilled from the existing log.
 */
export const messageRollupsMigration: Migration = {
  version: 11,
  name: 'message-rollups',
  async up(db, _kind, now) {
    const hour = sql.raw(`(at - (at % ${HOUR_MS}))`);
    await sql`create table message_hourly (hour bigint not null, outcome text not null, n bigint not null, primary key (hour, outcome))`.execute(
      db,
    );
    await sql`create table message_hourly_senders (hour bigint not null, sender text not null, n bigint not null, primary key (hour, sender))`.execute(
      db,
    );
    await sql`create table message_top_senders (sender text primary key, n bigint not null)`.execute(db);
    await sql`create index message_top_senders_rank on message_top_senders (n desc, sender)`.execute(db);
    await sql`create table message_rollup_state (id integer primary key, window_start bigint not null)`.execute(db);
    const windowStart = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - WINDOW_HOURS * HOUR_MS;
    await sql`insert into message_rollup_state (id, window_start) values (1, ${windowStart})`.execute(db);
    await sql`insert into message_hourly (hour, outcome, n)
      select ${hour}, outcome, count(*) from message_log group by 1, 2`.execute(db);
    await sql`insert into message_hourly_senders (hour, sender, n)
      select ${hour}, sender, count(*) from message_log group by 1, 2`.execute(db);
    await sql`insert into message_top_senders (sender, n)
      select sender, sum(n) from message_hourly_senders where hour >= ${windowStart} group by sender`.execute(db);
  },
};

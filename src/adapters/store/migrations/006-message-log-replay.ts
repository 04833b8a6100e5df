import { sql } from 'kysely';
import type { Migration } from './migration.js';

/**
 * What the what-if replay (issue 17) needs from the message log beyond schema 1: the recipients
 * the policy engine refused, by kind (internal or external), so a looser proposed limit can offer
 * them again; and an index in replay order (user, time, id), so the replay reads the log user by
 * user in keyset pages without sorting. Rows from before this migration keep null counts; the
 * replay says how many it had to guess.
 */
export const messageLogReplayMigration: Migration = {
  version: 6,
  name: 'message-log-replay',
  async up(db) {
    await db.schema.alterTable('message_log').addColumn('refused_internal', 'integer').execute();
    await db.schema.alterTable('message_log').addColumn('refused_external', 'integer').execute();
    await sql`create index message_log_replay on message_log (user_id, at, id)`.execute(db);
  },
};

import type { Migration } from './migration.js';

/**
 * Each user's language and IANA time zone for the email Sendwarden sends them (issue 16); null
 * means the organisation default (SENDWARDEN_LANGUAGE, SENDWARDEN_TIME_ZONE). SQLite allows one
 * column per ALTER TABLE, so one statement each.
 */
export const userLocaleMigration: Migration = {
  version: 9,
  name: 'user-locale',
  async up(db) {
    await db.schema.alterTable('users').addColumn('language', 'text').execute();
    await db.schema.alterTable('users').addColumn('time_zone', 'text').execute();
  },
};

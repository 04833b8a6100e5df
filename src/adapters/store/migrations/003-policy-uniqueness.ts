import { sql } from 'kysely';
import type { Migration } from './migration.js';

/**
 * Policy names (case-insensitive) and priorities are unique, enforced by the database: the core
 * checks first for a clear message, but two admins racing on PostgreSQL must not both win.
 */
export const policyUniquenessMigration: Migration = {
  version: 3,
  name: 'policy-uniqueness',
  async up(db) {
    await sql`create unique index policies_name_unique on policies (lower(name))`.execute(db);
    await sql`create unique index policies_priority_unique on policies (priority)`.execute(db);
  },
};

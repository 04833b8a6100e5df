import type { Migration } from './migration.js';

/** Remembers the last accepted TOTP time step per user, so a code cannot be replayed within its 30 s window. */
export const totpLastStepMigration: Migration = {
  version: 2,
  name: 'totp-last-step',
  async up(db) {
    await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
  },
};

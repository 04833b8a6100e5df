import type { Migration } from './migration.js';

/**
 * The external scanner's verdict on each message (issue 15): scanner name, action, score, its top
 * symbols (comma-separated, e.g. "GTUBE") and which scorers called the message spam ("builtin,rspamd").
 * SQLite allows one column per ALTER TABLE, so one statement each.
 */
export const scannerVerdictsMigration: Migration = {
  version: 7,
  name: 'scanner-verdicts',
  async up(db) {
    const columns: [string, 'text' | 'double precision'][] = [
      ['scanner', 'text'],
      ['scanner_action', 'text'],
      ['scanner_score', 'double precision'],
      ['scanner_symbols', 'text'],
      ['spam_by', 'text'],
    ];
    for (const [name, type] of columns) await db.schema.alterTable('message_log').addColumn(name, type).execute();
  },
};

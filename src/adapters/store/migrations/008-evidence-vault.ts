import type { Migration } from './migration.js';

/**
 * Issue 15 part 4 and issue 16 part 2. `message_log.recipients`: the first few recipients of each
 * message (JSON array; older rows null), so the log reads "to whom" and not only how many.
 * `evidence_messages`: the messages that counted as evidence for a restriction, encrypted at rest
 * (AES-256-GCM; `summary` holds subject, recipients and reason, `body` the kept bytes, both base64
 * of version | nonce | tag | ciphertext); only the figures needed to list and prune are in clear.
 */
export const evidenceVaultMigration: Migration = {
  version: 8,
  name: 'evidence-vault',
  async up(db) {
    await db.schema.alterTable('message_log').addColumn('recipients', 'text').execute();
    await db.schema
      .createTable('evidence_messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('recipient_count', 'integer', (c) => c.notNull())
      .addColumn('spam_score', 'double precision', (c) => c.notNull())
      .addColumn('spam_by', 'text', (c) => c.notNull())
      .addColumn('scanner', 'text')
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('truncated', 'integer', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('evidence_messages_user_at')
      .on('evidence_messages')
      .columns(['user_id', 'at'])
      .execute();
    await db.schema.createIndex('evidence_messages_at').on('evidence_messages').column('at').execute();
  },
};

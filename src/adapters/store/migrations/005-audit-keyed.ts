import { sql } from 'kysely';
import type { Migration } from './migration.js';

/**
 * The audit log becomes keyed and append-only (issue 13).
 * - `key_id`: the id of the HMAC key of an entry; null on the plain SHA-256 entries written before.
 *   The migration cannot compute an HMAC (it has no secret), so the store writes the keyed
 *   transition entry ("audit.chain-keyed", pinning the old head) at its next start or append.
 * - Indexes for the audit-log filters by action, user and time (equality or range, then seq).
 * - Triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL): the application never
 *   changes an entry, so any change is an intruder's, and must at least take a DROP TRIGGER.
 */
export const auditKeyedMigration: Migration = {
  version: 5,
  name: 'audit-keyed',
  async up(db, kind) {
    await db.schema.alterTable('audit_log').addColumn('key_id', 'text').execute();
    await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute();
    await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_label', 'seq']).execute();
    await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target', 'seq']).execute();
    if (kind === 'sqlite') {
      await sql`create trigger audit_log_no_update before update on audit_log
        begin select raise(abort, 'audit_log is append-only: an entry cannot be changed'); end`.execute(db);
      await sql`create trigger audit_log_no_delete before delete on audit_log
        begin select raise(abort, 'audit_log is append-only: an entry cannot be deleted'); end`.execute(db);
      return;
    }
    await sql`create or replace function sendwarden_audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege'; end
      $$`.execute(db);
    await sql`create trigger audit_log_no_change before update or delete on audit_log
      for each row execute function sendwarden_audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function sendwarden_audit_log_append_only()`.execute(db);
  },
};

/**
 * Tampering with the audit log as an intruder with write access to the database (but not to
 * SENDWARDEN_SECRET) would: drop the append-only triggers, then change rows with raw SQL. Also
 * builds a store in the format before issue 13 (schema 3, plain SHA-256 chain) for migration tests.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openPostgres } from '../../src/adapters/store/dialects/postgres.js';
import { openSqlite } from '../../src/adapters/store/dialects/sqlite.js';
import { migrate } from '../../src/adapters/store/migrator.js';
import { MIGRATIONS } from '../../src/adapters/store/migrations/index.js';
import type { AuditEventInput } from '../../src/core/audit/audit-event.js';
import { chainHash, GENESIS_HASH } from '../../src/core/audit/chain.js';
import { postgresRawQuery, sqliteRawQuery } from './db.js';

export const plainSha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** One audit_log row as raw SQL returns it (PostgreSQL returns bigint as text). */
export interface AuditRow {
  seq: number | string;
  at: number | string;
  actor: string;
  actor_id: string;
  actor_label: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
  key_id?: string | null;
}

const COLUMNS = [
  'seq',
  'at',
  'actor',
  'actor_id',
  'actor_label',
  'action',
  'target',
  'before',
  'after',
  'prev_hash',
  'hash',
  'key_id',
] as const;

export interface RawAuditDb {
  readonly kind: 'sqlite' | 'postgres';
  query(text: string, params?: readonly unknown[]): Promise<unknown[]>;
  rows(): Promise<AuditRow[]>;
  dropTriggers(): Promise<void>;
  insert(row: AuditRow): Promise<void>;
  /** Puts back exactly these rows (after any tampering). */
  restore(rows: readonly AuditRow[]): Promise<void>;
}

export function rawAuditDb(kind: 'sqlite' | 'postgres', location: string): RawAuditDb {
  const query = (text: string, params: readonly unknown[] = []) =>
    kind === 'sqlite' ? sqliteRawQuery(location, text, params) : postgresRawQuery(location, text, params);
  const insert = async (row: AuditRow) => {
    await query(
      `insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
      COLUMNS.map((c) => row[c] ?? null),
    );
  };
  return {
    kind,
    query,
    insert,
    rows: async () => (await query('select * from audit_log order by seq')) as AuditRow[],
    async dropTriggers() {
      if (kind === 'sqlite') {
        await query('drop trigger if exists audit_log_no_update');
        await query('drop trigger if exists audit_log_no_delete');
      } else {
        await query('drop trigger if exists audit_log_no_change on audit_log');
        await query('drop trigger if exists audit_log_no_truncate on audit_log');
      }
    },
    async restore(rows) {
      await query('delete from audit_log');
      for (const r of rows) await insert(r);
    },
  };
}

/** The event a row holds, as the chain hashes it. */
export function eventOf(r: AuditRow): AuditEventInput {
  return {
    at: new Date(Number(r.at)),
    actor: JSON.parse(r.actor) as AuditEventInput['actor'],
    action: r.action,
    target: r.target,
    ...(r.before === null ? {} : { before: JSON.parse(r.before) as Record<string, unknown> }),
    ...(r.after === null ? {} : { after: JSON.parse(r.after) as Record<string, unknown> }),
  };
}

/** A row for `event` at `seq` after `prevHash`, hashed the way the old (unkeyed) chain does. */
export function sha256Row(seq: number, prevHash: string, event: AuditEventInput, keyId: string | null): AuditRow {
  return {
    seq,
    at: event.at.getTime(),
    actor: JSON.stringify(event.actor),
    actor_id: event.actor.id,
    actor_label: event.actor.label,
    action: event.action,
    target: event.target,
    before: event.before === undefined ? null : JSON.stringify(event.before),
    after: event.after === undefined ? null : JSON.stringify(event.after),
    prev_hash: prevHash,
    hash: chainHash(plainSha256, prevHash, seq, event),
    key_id: keyId,
  };
}

/**
 * A store exactly as Sendwarden wrote it before issue 13: schema 3, and `count` audit entries
 * chained with plain SHA-256 (no key_id column yet).
 */
export async function buildSchema3Store(kind: 'sqlite' | 'postgres', location: string, count: number): Promise<void> {
  const conn = kind === 'sqlite' ? openSqlite(location) : await openPostgres(location);
  try {
    await migrate(
      conn.db,
      kind,
      conn.where,
      new Date(),
      MIGRATIONS.filter((m) => m.version <= 3),
    );
  } finally {
    await (conn.db as Kysely<unknown>).destroy();
  }
  const raw = rawAuditDb(kind, location);
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const row = sha256Row(
      seq,
      prev,
      {
        at: new Date(Date.UTC(2026, 10, 1, 9, seq)),
        actor: { kind: 'cli', id: 'ops', label: 'cli:ops' },
        action: 'user.created',
        target: `user:u${seq}@contoso.com`,
        after: { roles: ['user'] },
      },
      null,
    );
    const { key_id: _ignored, ...old } = row;
    const cols = Object.keys(old);
    await raw.query(
      `insert into audit_log (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`,
      Object.values(old),
    );
    prev = row.hash;
  }
}

import { sql, type Kysely } from 'kysely';
import { DomainError } from '../../core/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';
import type { Db, StoreKind } from './schema.js';

/** Advisory lock key that keeps two PostgreSQL nodes from migrating at once. */
const MIGRATION_LOCK_KEY = 5_377_000;

/** Tables that mark a SQLite file as someone else's database rather than an empty one. */
async function sqliteForeignTables(db: Db): Promise<string[]> {
  const r = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return r.rows.map((row) => row.name);
}

/**
 * Brings the schema up to LATEST_SCHEMA_VERSION in one transaction and returns the version:
 * every known migration not yet recorded in schema_version runs, in version order.
 * Throws SCHEMA_TOO_NEW when the database was written by a newer Sendwarden, and
 * SCHEMA_CORRUPT when a SQLite file holds tables but no schema_version (not ours).
 */
export async function migrate(
  db: Db,
  kind: StoreKind,
  where: string,
  now: Date,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const latest = migrations === MIGRATIONS ? LATEST_SCHEMA_VERSION : Math.max(...migrations.map((m) => m.version));
  return db.transaction().execute(async (trx) => {
    if (kind === 'postgres') {
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
    } else {
      const tables = await sqliteForeignTables(trx);
      if (tables.length > 0 && !tables.includes('schema_version')) {
        throw new DomainError(
          'SCHEMA_CORRUPT',
          `The file ${where} is a database of another program (it has tables but no Sendwarden schema version). Point Sendwarden at its own file, or move this one away.`,
        );
      }
    }
    await trx.schema
      .createTable('schema_version')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const applied = new Set(
      (await trx.selectFrom('schema_version').select('version').execute()).map((r) => Number(r.version)),
    );
    const current = Math.max(0, ...applied);
    if (current > latest) {
      throw new DomainError(
        'SCHEMA_TOO_NEW',
        `The database at ${where} was written by a newer Sendwarden (schema ${current}, this version knows ${latest}). Upgrade Sendwarden or restore a backup.`,
        { details: { schema: current, known: latest } },
      );
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      // Every known migration that is not recorded runs, also one numbered below the newest
      // applied (two branches that each added one): skipping it would leave its table missing.
      if (applied.has(m.version)) continue;
      await m.up(trx as unknown as Kysely<unknown>, kind, now);
      await trx
        .insertInto('schema_version')
        .values({ version: m.version, name: m.name, applied_at: now.getTime() })
        .execute();
    }
    return Math.max(current, latest);
  });
}

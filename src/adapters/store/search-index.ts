import { sql, type Kysely } from 'kysely';
import { createPostgresSearchIndexes } from './migrations/010-user-search-index.js';
import type { Db, StoreKind } from './schema.js';

async function hasPostgresIndexes(db: Db): Promise<boolean> {
  const r = await sql<{ n: number | string }>`
    select count(*) as n from pg_indexes
    where schemaname = current_schema() and indexname in ('users_search_trgm', 'addresses_search_trgm')`.execute(db);
  return Number(r.rows[0]?.n ?? 0) === 2;
}

/**
 * Whether user search has its trigram index. SQLite always does (migration 010; better-sqlite3's
 * SQLite has FTS5 with the trigram tokenizer). On PostgreSQL migration 010 creates pg_trgm when
 * it may; if it could not, this tries again (a superuser may have created the extension since)
 * and answers 'scan' when the indexes are still missing.
 */
export async function userSearchMode(db: Db, kind: StoreKind): Promise<'index' | 'scan'> {
  if (kind === 'sqlite' || (await hasPostgresIndexes(db))) return 'index';
  try {
    await db.transaction().execute(async (trx) => {
      await sql`create extension if not exists pg_trgm`.execute(trx);
      await createPostgresSearchIndexes(trx as unknown as Kysely<unknown>);
    });
  } catch {
    return 'scan';
  }
  return (await hasPostgresIndexes(db)) ? 'index' : 'scan';
}

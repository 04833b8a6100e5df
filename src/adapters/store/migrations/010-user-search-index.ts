import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.js';

/**
 * SQLite: an FTS5 table with the trigram tokenizer (case-sensitive, over text that is already
 * lower-cased): one document for each user's display name and one for each address (email and
 * aliases), kept in step by triggers on `users` and `addresses`, so a write only inserts or deletes
 * short documents. `user_search_docs` gives each document a stable integer rowid (a table without an
 * INTEGER PRIMARY KEY may be renumbered by VACUUM, so the tables' own rowids are not used).
 */
async function sqliteUp(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create table user_search_docs (doc integer primary key, user_id text not null, address text unique)`,
    `create index user_search_docs_user on user_search_docs (user_id)`,
    `create virtual table user_search using fts5(user_id unindexed, body, tokenize = 'trigram case_sensitive 1')`,
    `create trigger user_search_user_insert after insert on users begin
       insert into user_search_docs (user_id, address) values (new.id, null);
       insert into user_search (rowid, user_id, body) values (last_insert_rowid(), new.id, new.display_name_lower);
     end`,
    `create trigger user_search_user_rename after update of display_name_lower on users begin
       update user_search set body = new.display_name_lower
         where rowid = (select doc from user_search_docs where user_id = new.id and address is null);
     end`,
    `create trigger user_search_user_delete after delete on users begin
       delete from user_search where rowid in (select doc from user_search_docs where user_id = old.id);
       delete from user_search_docs where user_id = old.id;
     end`,
    `create trigger user_search_address_insert after insert on addresses begin
       insert into user_search_docs (user_id, address) values (new.user_id, new.address);
       insert into user_search (rowid, user_id, body) values (last_insert_rowid(), new.user_id, new.address);
     end`,
    `create trigger user_search_address_delete after delete on addresses begin
       delete from user_search where rowid = (select doc from user_search_docs where address = old.address);
       delete from user_search_docs where address = old.address;
     end`,
    `create trigger user_search_address_update after update on addresses begin
       delete from user_search where rowid = (select doc from user_search_docs where address = old.address);
       delete from user_search_docs where address = old.address;
       insert into user_search_docs (user_id, address) values (new.user_id, new.address);
       insert into user_search (rowid, user_id, body) values (last_insert_rowid(), new.user_id, new.address);
     end`,
    `insert into user_search_docs (user_id, address)
       select id, null from users union all select user_id, address from addresses`,
    `insert into user_search (rowid, user_id, body)
       select d.doc, d.user_id, coalesce(d.address, (select u.display_name_lower from users u where u.id = d.user_id))
       from user_search_docs d`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

/**
 * PostgreSQL: pg_trgm GIN indexes on the lower-cased display name and on the addresses, which
 * serve `like '%rob%'`. Creating the extension needs the CREATE privilege on the database (it is
 * a trusted extension); without it the migration still succeeds and search scans as before (the
 * store logs a warning at start and creates the indexes once the extension is there).
 */
async function postgresUp(db: Kysely<unknown>): Promise<void> {
  await sql`savepoint sw_pg_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`release savepoint sw_pg_trgm`.execute(db);
  } catch {
    await sql`rollback to savepoint sw_pg_trgm`.execute(db);
    return;
  }
  await createPostgresSearchIndexes(db);
}

/**
 * The two pg_trgm indexes of user search (idempotent; needs the pg_trgm extension). They index the
 * expression `(column || '')`, which the search's LIKE names, not the bare column: pg_trgm's GIN
 * operator class also serves `=`, and on a fast-growing table (an import) the planner then picked
 * it over the primary key for address lookups (seconds per batch of 500 instead of milliseconds).
 */
export async function createPostgresSearchIndexes(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists users_search_trgm on users using gin ((display_name_lower || '') gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index if not exists addresses_search_trgm on addresses using gin ((address || '') gin_trgm_ops)`.execute(
    db,
  );
}

/** Issue 14: an index that serves the directory's substring search, so it does not grow with the directory. */
export const userSearchIndexMigration: Migration = {
  version: 10,
  name: 'user-search-index',
  async up(db, kind) {
    if (kind === 'sqlite') await sqliteUp(db);
    else await postgresUp(db);
  },
};

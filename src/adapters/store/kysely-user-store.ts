import { sql, type Expression, type SqlBool } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { User } from '../../core/directory/user.js';
import type { Page, UserQuery, UserStore } from '../../ports/stores.js';
import {
  chunk,
  clampLimit,
  clampOffset,
  LIKE_ESCAPE,
  likeContains,
  columnsOf,
  rowsPerInsert,
  toCount,
  toFlag,
  toMillis,
} from './codec.js';
import type { Db } from './schema.js';
import { directoryChanged, inTransaction, stateChanged, type StoreContext } from './store-context.js';
import { isUniqueViolation } from './store-errors.js';
import { addressRows, hydrateUsers, userToRow } from './user-rows.js';

function userExists(address: string): DomainError {
  return new DomainError('USER_EXISTS', `The address ${address} is already used by another user.`, {
    details: { address },
  });
}

/** The scan: substring of the lower-cased display name or of any address (email or alias). */
function scanCondition(u: ReturnType<typeof sql.ref>, pattern: string): Expression<SqlBool> {
  const esc = sql.lit(LIKE_ESCAPE);
  return sql<SqlBool>`(${u}.display_name_lower like ${pattern} escape ${esc} or exists (select 1 from addresses sa where sa.user_id = ${u}.id and sa.address like ${pattern} escape ${esc}))`;
}

/** An FTS5 phrase that matches `text` literally (double quotes doubled). */
function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The search rule of core/directory/search.ts in SQL: substring of email, display name or alias.
 * A needle of 3 characters or more uses the trigram index of migration 010 to find the candidates
 * (SQLite: FTS5 over the names and addresses, re-checked with the scan's own condition, so the
 * results are the scan's; PostgreSQL: the same LIKE, served by the pg_trgm GIN indexes). Shorter
 * needles have no trigram and scan, as does PostgreSQL without pg_trgm.
 */
export function userSearchCondition(
  ctx: StoreContext,
  userAlias: string,
  text: string,
): Expression<SqlBool> | undefined {
  const needle = text.trim().toLowerCase();
  if (needle === '') return undefined;
  const pattern = likeContains(needle);
  const u = sql.ref(userAlias);
  if (ctx.userSearch === 'scan' || [...needle].length < 3) return scanCondition(u, pattern);
  if (ctx.kind === 'sqlite') {
    return sql<SqlBool>`(${u}.id in (select user_id from user_search where user_search match ${ftsPhrase(needle)}) and ${scanCondition(u, pattern)})`;
  }
  const esc = sql.lit(LIKE_ESCAPE);
  // `|| ''` names the indexed expression (see createPostgresSearchIndexes).
  return sql<SqlBool>`${u}.id in (select su.id from users su where (su.display_name_lower || '') like ${pattern} escape ${esc} union select sa.user_id from addresses sa where (sa.address || '') like ${pattern} escape ${esc})`;
}

function conditions(ctx: StoreContext, query: UserQuery): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  const search = query.search === undefined ? undefined : userSearchCondition(ctx, 'u', query.search);
  if (search) out.push(search);
  if (query.signInBlocked !== undefined) out.push(sql<SqlBool>`u.sign_in_blocked = ${toFlag(query.signInBlocked)}`);
  if (query.lockedAt !== undefined) out.push(sql<SqlBool>`u.locked_until > ${toMillis(query.lockedAt)}`);
  if (query.restrictedAt !== undefined) {
    const at = toMillis(query.restrictedAt);
    out.push(
      sql<SqlBool>`exists (select 1 from restrictions r where r.user_id = u.id and r.released_at is null and (r.release_at is null or r.release_at > ${at}))`,
    );
  }
  if (query.role !== undefined) {
    out.push(sql<SqlBool>`u.roles like ${likeContains(JSON.stringify(query.role))} escape ${sql.lit(LIKE_ESCAPE)}`);
  }
  return out;
}

/**
 * Throws USER_EXISTS naming the first address (in input order) that is listed twice or
 * already belongs to a user other than the one it is listed for. Checked before writing,
 * so a PostgreSQL transaction is not aborted by the unique violation; the primary key of
 * `addresses` remains the guard against races.
 */
async function assertAddressesFree(db: Db, wanted: readonly { address: string; user_id: string }[]): Promise<void> {
  const owner = new Map<string, string>();
  for (const w of wanted) {
    const prev = owner.get(w.address);
    if (prev !== undefined && prev !== w.user_id) throw userExists(w.address);
    owner.set(w.address, w.user_id);
  }
  const taken = new Map<string, string>();
  for (const part of chunk([...owner.keys()], 500)) {
    const rows = await db.selectFrom('addresses').select(['address', 'user_id']).where('address', 'in', part).execute();
    for (const r of rows) taken.set(r.address, r.user_id);
  }
  for (const w of wanted) {
    const holder = taken.get(w.address);
    if (holder !== undefined && holder !== w.user_id) throw userExists(w.address);
  }
}

/** Translates a unique violation that slipped past the pre-check (a concurrent insert) into USER_EXISTS. */
function translateClash(err: unknown, users: readonly User[]): unknown {
  if (isUniqueViolation(err, 'addresses') || isUniqueViolation(err, 'users')) {
    const detail = String((err as { detail?: unknown }).detail ?? '');
    const named = /=\(([^)]+)\)/.exec(detail)?.[1];
    return userExists(named ?? users[0]?.email ?? 'given');
  }
  return err;
}

/** UserStore over Kysely; addresses live in their own table so email and aliases are unique across users. */
export class KyselyUserStore implements UserStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(user: User): Promise<void> {
    await this.insertMany([user]);
  }

  async insertMany(users: readonly User[]): Promise<void> {
    if (users.length === 0) return;
    const addresses = users.flatMap(addressRows);
    try {
      await inTransaction(this.#ctx, async (db) => {
        await assertAddressesFree(db, addresses);
        // Statements sized by the rows' own column count, so a new column cannot push one past the
        // engine's bound-variable limit (it did: 23 columns at 1,500 rows failed on SQLite).
        const rows = users.map(userToRow);
        for (const part of chunk(rows, rowsPerInsert(columnsOf(rows)))) {
          await db.insertInto('users').values(part).execute();
        }
        for (const part of chunk(addresses, rowsPerInsert(columnsOf(addresses)))) {
          await db.insertInto('addresses').values(part).execute();
        }
      });
    } catch (err) {
      throw translateClash(err, users);
    } finally {
      directoryChanged(this.#ctx);
    }
  }

  async update(user: User): Promise<void> {
    try {
      await inTransaction(this.#ctx, async (db) => {
        const addresses = addressRows(user);
        await assertAddressesFree(db, addresses);
        const { id: _id, ...row } = userToRow(user);
        const result = await db.updateTable('users').set(row).where('id', '=', user.id).executeTakeFirst();
        if (toCount(result.numUpdatedRows) === 0) {
          throw new DomainError('USER_NOT_FOUND', `No user with id ${user.id} exists; it may have been deleted.`);
        }
        await db.deleteFrom('addresses').where('user_id', '=', user.id).execute();
        await db.insertInto('addresses').values(addresses).execute();
      });
    } catch (err) {
      throw translateClash(err, [user]);
    } finally {
      directoryChanged(this.#ctx);
    }
  }

  async delete(id: string): Promise<void> {
    // app_passwords, sessions, reset_codes, restrictions and addresses go by ON DELETE CASCADE.
    await this.#ctx.db.deleteFrom('users').where('id', '=', id).execute();
    // Its restrictions went with it.
    stateChanged(this.#ctx);
    directoryChanged(this.#ctx);
  }

  async findById(id: string): Promise<User | undefined> {
    // Inside a unit of work the caller reads to write back (lockout counters, sign-in status): on
    // PostgreSQL the row is locked until commit, so parallel failures (a burst of Dovecot reports)
    // are counted one after another instead of overwriting each other. SQLite writers are serial.
    const query = this.#ctx.db.selectFrom('users').selectAll().where('id', '=', id);
    const row = await (
      this.#ctx.inTransaction && this.#ctx.kind === 'postgres' ? query.forUpdate() : query
    ).executeTakeFirst();
    return row === undefined ? undefined : (await hydrateUsers(this.#ctx.db, [row]))[0];
  }

  async findByAddress(address: string): Promise<User | undefined> {
    const row = await this.#ctx.db
      .selectFrom('addresses as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .selectAll('u')
      .where('a.address', '=', address.trim().toLowerCase())
      .executeTakeFirst();
    return row === undefined ? undefined : (await hydrateUsers(this.#ctx.db, [row]))[0];
  }

  async list(query: UserQuery): Promise<Page<User>> {
    const conds = conditions(this.#ctx, query);
    let rows = this.#ctx.db.selectFrom('users as u').selectAll('u');
    let total = this.#ctx.db.selectFrom('users as u').select((eb) => eb.fn.countAll<number | string>().as('n'));
    for (const c of conds) {
      rows = rows.where(c);
      total = total.where(c);
    }
    const found = await rows
      .orderBy('u.email')
      .limit(clampLimit(query.limit))
      .offset(clampOffset(query.offset))
      .execute();
    const count = await total.executeTakeFirstOrThrow();
    return { items: await hydrateUsers(this.#ctx.db, found), total: toCount(count.n) };
  }

  async takenAddresses(addresses: readonly string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    const wanted = [...new Set(addresses.map((a) => a.trim().toLowerCase()))];
    for (const part of chunk(wanted, 500)) {
      const rows = await this.#ctx.db.selectFrom('addresses').select('address').where('address', 'in', part).execute();
      for (const r of rows) taken.add(r.address);
    }
    return taken;
  }

  async count(): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return toCount(row.n);
  }
}

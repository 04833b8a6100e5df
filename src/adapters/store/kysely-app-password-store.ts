import type { Selectable } from 'kysely';
import type { AppPassword } from '../../core/directory/user.js';
import type { AppPasswordStore } from '../../ports/stores.js';
import { toCount, toDate, toDateOrNull, toMillis, toMillisOrNull } from './codec.js';
import type { AppPasswordsTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function fromRow(r: Selectable<AppPasswordsTable>): AppPassword {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    hash: r.hash,
    createdAt: toDate(r.created_at),
    lastUsedAt: toDateOrNull(r.last_used_at),
  };
}

/** AppPasswordStore over Kysely. */
export class KyselyAppPasswordStore implements AppPasswordStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(p: AppPassword): Promise<void> {
    await this.#ctx.db
      .insertInto('app_passwords')
      .values({
        id: p.id,
        user_id: p.userId,
        name: p.name,
        hash: p.hash,
        created_at: toMillis(p.createdAt),
        last_used_at: toMillisOrNull(p.lastUsedAt),
      })
      .execute();
  }

  async listByUser(userId: string): Promise<readonly AppPassword[]> {
    const rows = await this.#ctx.db
      .selectFrom('app_passwords')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.#ctx.db
      .updateTable('app_passwords')
      .set({ last_used_at: toMillis(at) })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.#ctx.db.deleteFrom('app_passwords').where('id', '=', id).execute();
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const r = await this.#ctx.db.deleteFrom('app_passwords').where('user_id', '=', userId).executeTakeFirst();
    return toCount(r.numDeletedRows);
  }
}

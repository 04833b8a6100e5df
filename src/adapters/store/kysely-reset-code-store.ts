import type { Insertable, Selectable } from 'kysely';
import type { ResetCode } from '../../core/auth/credentials.js';
import type { ResetCodeStore } from '../../ports/stores.js';
import { toCount, toDate, toDateOrNull, toMillis, toMillisOrNull } from './codec.js';
import type { ResetCodesTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function toRow(c: ResetCode): Insertable<ResetCodesTable> {
  return {
    id: c.id,
    user_id: c.userId,
    hash: c.hash,
    created_at: toMillis(c.createdAt),
    expires_at: toMillis(c.expiresAt),
    attempts: c.attempts,
    used_at: toMillisOrNull(c.usedAt),
  };
}

function fromRow(r: Selectable<ResetCodesTable>): ResetCode {
  return {
    id: r.id,
    userId: r.user_id,
    hash: r.hash,
    createdAt: toDate(r.created_at),
    expiresAt: toDate(r.expires_at),
    attempts: Number(r.attempts),
    usedAt: toDateOrNull(r.used_at),
  };
}

/** ResetCodeStore over Kysely. */
export class KyselyResetCodeStore implements ResetCodeStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(code: ResetCode): Promise<void> {
    await this.#ctx.db.insertInto('reset_codes').values(toRow(code)).execute();
  }

  async findLatestUnused(userId: string): Promise<ResetCode | undefined> {
    const row = await this.#ctx.db
      .selectFrom('reset_codes')
      .selectAll()
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async update(code: ResetCode): Promise<void> {
    const { id: _id, ...row } = toRow(code);
    await this.#ctx.db.updateTable('reset_codes').set(row).where('id', '=', code.id).execute();
  }

  async countSince(userId: string, since: Date): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('reset_codes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('created_at', '>=', toMillis(since))
      .executeTakeFirstOrThrow();
    return toCount(row.n);
  }
}

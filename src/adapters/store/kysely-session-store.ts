import type { Insertable, Selectable } from 'kysely';
import type { Session } from '../../core/auth/credentials.js';
import type { SessionStore } from '../../ports/stores.js';
import { fromFlag, toCount, toDate, toDateOrNull, toFlag, toMillis, toMillisOrNull } from './codec.js';
import type { SessionsTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function toRow(s: Session): Insertable<SessionsTable> {
  return {
    id: s.id,
    user_id: s.userId,
    hash: s.hash,
    epoch: s.epoch,
    created_at: toMillis(s.createdAt),
    last_seen_at: toMillis(s.lastSeenAt),
    expires_at: toMillis(s.expiresAt),
    revoked_at: toMillisOrNull(s.revokedAt),
    mfa_done: toFlag(s.mfaDone),
    address: s.address,
    user_agent: s.userAgent,
  };
}

function fromRow(r: Selectable<SessionsTable>): Session {
  return {
    id: r.id,
    userId: r.user_id,
    hash: r.hash,
    epoch: Number(r.epoch),
    createdAt: toDate(r.created_at),
    lastSeenAt: toDate(r.last_seen_at),
    expiresAt: toDate(r.expires_at),
    revokedAt: toDateOrNull(r.revoked_at),
    mfaDone: fromFlag(r.mfa_done),
    address: r.address,
    userAgent: r.user_agent,
  };
}

/** SessionStore over Kysely. */
export class KyselySessionStore implements SessionStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(session: Session): Promise<void> {
    await this.#ctx.db.insertInto('sessions').values(toRow(session)).execute();
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = await this.#ctx.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async update(session: Session): Promise<void> {
    const { id: _id, ...row } = toRow(session);
    await this.#ctx.db.updateTable('sessions').set(row).where('id', '=', session.id).execute();
  }

  async listByUser(userId: string): Promise<readonly Session[]> {
    const rows = await this.#ctx.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  /** Live means not yet revoked and not expired at `at`. */
  async revokeAllForUser(userId: string, at: Date): Promise<number> {
    const r = await this.#ctx.db
      .updateTable('sessions')
      .set({ revoked_at: toMillis(at) })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', toMillis(at))
      .executeTakeFirst();
    return toCount(r.numUpdatedRows);
  }
}

import type { Insertable, Selectable } from 'kysely';
import type { ApiToken } from '../../core/auth/credentials.js';
import type { Role } from '../../core/roles/roles.js';
import type { TokenStore } from '../../ports/stores.js';
import { toDate, toDateOrNull, toMillis, toMillisOrNull } from './codec.js';
import type { ApiTokensTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function toRow(t: ApiToken): Insertable<ApiTokensTable> {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    hash: t.hash,
    created_at: toMillis(t.createdAt),
    expires_at: toMillisOrNull(t.expiresAt),
    revoked_at: toMillisOrNull(t.revokedAt),
    last_used_at: toMillisOrNull(t.lastUsedAt),
    created_by: t.createdBy,
  };
}

function fromRow(r: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    hash: r.hash,
    createdAt: toDate(r.created_at),
    expiresAt: toDateOrNull(r.expires_at),
    revokedAt: toDateOrNull(r.revoked_at),
    lastUsedAt: toDateOrNull(r.last_used_at),
    createdBy: r.created_by,
  };
}

/** TokenStore over Kysely. */
export class KyselyTokenStore implements TokenStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(token: ApiToken): Promise<void> {
    await this.#ctx.db.insertInto('api_tokens').values(toRow(token)).execute();
  }

  async findById(id: string): Promise<ApiToken | undefined> {
    const row = await this.#ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async list(): Promise<readonly ApiToken[]> {
    const rows = await this.#ctx.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(fromRow);
  }

  async update(token: ApiToken): Promise<void> {
    const { id: _id, ...row } = toRow(token);
    await this.#ctx.db.updateTable('api_tokens').set(row).where('id', '=', token.id).execute();
  }
}

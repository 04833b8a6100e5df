import type { Insertable, Selectable } from 'kysely';
import type { User } from '../../core/directory/user.js';
import type {
  ReleaseKind,
  Restriction,
  RestrictionEvidence,
  RestrictionKind,
  UnblockStep,
} from '../../core/restrictions/restriction.js';
import type { RestrictionStore } from '../../ports/stores.js';
import { parseJson, toCount, toDate, toDateOrNull, toMillis, toMillisOrNull } from './codec.js';
import type { RestrictionsTable } from './schema.js';
import { restrictionChanged, type StoreContext } from './store-context.js';
import { userSearchCondition } from './kysely-user-store.js';
import { hydrateUsers } from './user-rows.js';

function toRow(r: Restriction): Insertable<RestrictionsTable> {
  return {
    id: r.id,
    user_id: r.userId,
    kind: r.kind,
    evidence: JSON.stringify(r.evidence),
    restricted_at: toMillis(r.restrictedAt),
    release_at: toMillisOrNull(r.releaseAt),
    released_at: toMillisOrNull(r.releasedAt),
    released_by: r.releasedBy,
    release_kind: r.releaseKind,
    steps_done: JSON.stringify(r.stepsDone),
  };
}

/** A row as the domain value (also used by kysely-sending-state-store.ts). */
export function restrictionFromRow(r: Selectable<RestrictionsTable>): Restriction {
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind as RestrictionKind,
    evidence: parseJson<RestrictionEvidence>(r.evidence),
    restrictedAt: toDate(r.restricted_at),
    releaseAt: toDateOrNull(r.release_at),
    releasedAt: toDateOrNull(r.released_at),
    releasedBy: r.released_by,
    releaseKind: r.release_kind as ReleaseKind | null,
    stepsDone: parseJson<UnblockStep[]>(r.steps_done),
  };
}

/** RestrictionStore over Kysely. */
export class KyselyRestrictionStore implements RestrictionStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(r: Restriction): Promise<void> {
    await this.#ctx.db.insertInto('restrictions').values(toRow(r)).execute();
    restrictionChanged(this.#ctx, r.userId);
  }

  async update(r: Restriction): Promise<void> {
    const { id: _id, ...row } = toRow(r);
    await this.#ctx.db.updateTable('restrictions').set(row).where('id', '=', r.id).execute();
    restrictionChanged(this.#ctx, r.userId);
  }

  async findById(id: string): Promise<Restriction | undefined> {
    const row = await this.#ctx.db.selectFrom('restrictions').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : restrictionFromRow(row);
  }

  async findOpenByUser(userId: string): Promise<Restriction | undefined> {
    const row = await this.#ctx.db
      .selectFrom('restrictions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('released_at', 'is', null)
      .orderBy('restricted_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : restrictionFromRow(row);
  }

  async listOpen(search?: string): Promise<readonly { restriction: Restriction; user: User }[]> {
    let q = this.#ctx.db
      .selectFrom('restrictions as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .selectAll('r')
      .where('r.released_at', 'is', null);
    const cond = search === undefined ? undefined : userSearchCondition(this.#ctx, 'u', search);
    if (cond) q = q.where(cond);
    const rows = await q.orderBy('r.restricted_at', 'desc').orderBy('r.id', 'desc').execute();
    const userIds = [...new Set(rows.map((r) => r.user_id))];
    const userRows =
      userIds.length === 0
        ? []
        : await this.#ctx.db.selectFrom('users').selectAll().where('id', 'in', userIds).execute();
    const users = new Map((await hydrateUsers(this.#ctx.db, userRows)).map((u) => [u.id, u]));
    return rows.flatMap((r) => {
      const user = users.get(r.user_id);
      return user === undefined ? [] : [{ restriction: restrictionFromRow(r), user }];
    });
  }

  async listDue(now: Date): Promise<readonly Restriction[]> {
    const rows = await this.#ctx.db
      .selectFrom('restrictions')
      .selectAll()
      .where('released_at', 'is', null)
      .where('release_at', 'is not', null)
      .where('release_at', '<=', toMillis(now))
      .orderBy('release_at')
      .orderBy('id')
      .execute();
    return rows.map(restrictionFromRow);
  }

  async countUnblocksSince(userId: string, since: Date): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('restrictions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('release_kind', '=', 'unblock')
      .where('released_at', '>=', toMillis(since))
      .executeTakeFirstOrThrow();
    return toCount(row.n);
  }

  async listByUser(userId: string): Promise<readonly Restriction[]> {
    const rows = await this.#ctx.db
      .selectFrom('restrictions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('restricted_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(restrictionFromRow);
  }
}

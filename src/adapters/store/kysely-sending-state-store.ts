import { sql } from 'kysely';
import type { OutboundPolicy } from '../../core/policy/outbound-policy.js';
import type { Restriction } from '../../core/restrictions/restriction.js';
import type { SendingState, SendingStateStore } from '../../ports/stores.js';
import { toDateOrNull } from './codec.js';
import { policyFromRow } from './kysely-policy-store.js';
import { restrictionFromRow } from './kysely-restriction-store.js';
import type { StoreContext } from './store-context.js';

type RestrictionFacts = Pick<SendingState, 'open' | 'lastUnblockAt'>;

/** What was read as of one store version. */
interface Cached {
  readonly version: string;
  policies: readonly OutboundPolicy[] | undefined;
  readonly domains: Map<string, readonly string[]>;
  readonly restrictions: Map<string, RestrictionFacts>;
}

/** Users whose restriction facts one version may hold; beyond it the map starts again (it only costs a read). */
const MAX_CACHED_USERS = 10_000;

/**
 * SendingStateStore over Kysely, outside any transaction (no BEGIN IMMEDIATE per SMTP command).
 * The open restriction and the last unblock come from one statement.
 *
 * On SQLite what was read is kept, keyed by a store version read on every call before anything
 * else: `PRAGMA data_version` (changes whenever any other connection commits: another process,
 * the CLI, another node on the same file) with `total_changes()` (rows this connection has
 * inserted, updated or deleted, committed or not). Any write anywhere therefore drops the whole
 * cache before the next call uses it, so a restriction or an unblock from any process applies
 * to the very next command, exactly as with a fresh read; between writes (the message log
 * flushes about once a second) each call costs that one version statement. On PostgreSQL there
 * is no such exact and cheap version: the three reads run in parallel on every call.
 */
export class KyselySendingStateStore implements SendingStateStore {
  readonly #ctx: StoreContext;
  #cache: Cached | undefined;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async read(userId: string, orgId: string): Promise<SendingState> {
    if (this.#ctx.kind !== 'sqlite' || this.#ctx.inTransaction) {
      const [restrictions, policies, orgDomains] = await Promise.all([
        this.#restrictions(userId),
        this.#policies(),
        this.#domains(orgId),
      ]);
      return { ...restrictions, policies, orgDomains };
    }
    const version = await this.#version();
    if (this.#cache?.version !== version)
      this.#cache = { version, policies: undefined, domains: new Map(), restrictions: new Map() };
    const cache = this.#cache;
    let restrictions = cache.restrictions.get(userId);
    if (restrictions === undefined) {
      restrictions = await this.#restrictions(userId);
      if (cache.restrictions.size >= MAX_CACHED_USERS) cache.restrictions.clear();
      cache.restrictions.set(userId, restrictions);
    }
    cache.policies ??= await this.#policies();
    let orgDomains = cache.domains.get(orgId);
    if (orgDomains === undefined) {
      orgDomains = await this.#domains(orgId);
      cache.domains.set(orgId, orgDomains);
    }
    return { ...restrictions, policies: cache.policies, orgDomains };
  }

  async #version(): Promise<string> {
    const r = await sql<{
      v: number;
      c: number;
    }>`select data_version as v, total_changes() as c from pragma_data_version`.execute(this.#ctx.db);
    const row = r.rows[0];
    return row === undefined ? '' : `${row.v}:${row.c}`;
  }

  /** The newest open restriction and the newest unblocked one, in one statement. */
  async #restrictions(userId: string): Promise<RestrictionFacts> {
    const db = this.#ctx.db;
    const open = db
      .selectFrom('restrictions')
      .selectAll()
      .select(sql<number>`0`.as('which'))
      .where('user_id', '=', userId)
      .where('released_at', 'is', null)
      .orderBy('restricted_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1);
    const unblocked = db
      .selectFrom('restrictions')
      .selectAll()
      .select(sql<number>`1`.as('which'))
      .where('user_id', '=', userId)
      .where('release_kind', '=', 'unblock')
      .orderBy('restricted_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1);
    const rows = await db
      .selectFrom(open.as('o'))
      .selectAll()
      .unionAll(db.selectFrom(unblocked.as('u')).selectAll())
      .execute();
    let result: { open: Restriction | undefined; lastUnblockAt: Date | null } = {
      open: undefined,
      lastUnblockAt: null,
    };
    for (const { which, ...row } of rows) {
      if (Number(which) === 0) result = { ...result, open: restrictionFromRow(row) };
      else result = { ...result, lastUnblockAt: toDateOrNull(row.released_at) };
    }
    return result;
  }

  async #policies(): Promise<readonly OutboundPolicy[]> {
    const rows = await this.#ctx.db
      .selectFrom('policies')
      .selectAll()
      .orderBy('is_default')
      .orderBy('priority')
      .orderBy('id')
      .execute();
    return rows.map(policyFromRow);
  }

  async #domains(orgId: string): Promise<readonly string[]> {
    const rows = await this.#ctx.db
      .selectFrom('org_domains')
      .select('domain')
      .where('org_id', '=', orgId)
      .orderBy('position')
      .execute();
    return rows.map((r) => r.domain);
  }
}

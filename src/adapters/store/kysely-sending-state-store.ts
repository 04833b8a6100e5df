import { sql } from 'kysely';
import type { Sender } from '../../core/directory/user.js';
import type { OutboundPolicy } from '../../core/policy/outbound-policy.js';
import type { Restriction } from '../../core/restrictions/restriction.js';
import type { SendingState, SendingStateStore } from '../../ports/stores.js';
import { BoundedCache } from '../../core/cache/bounded-cache.js';
import { toDateOrNull } from './codec.js';
import { policyFromRow } from './kysely-policy-store.js';
import { restrictionFromRow } from './kysely-restriction-store.js';
import type { StoreContext } from './store-context.js';
import { rowsToSender } from './user-rows.js';

type RestrictionFacts = Pick<SendingState, 'open' | 'lastUnblockAt'>;

/** What was read under one generation of StateChanges. */
interface Cached {
  readonly generation: number;
  /** How much of StateChanges.restricted has been applied (those users' facts dropped). */
  seen: number;
  policies: readonly OutboundPolicy[] | undefined;
  readonly domains: BoundedCache<string, readonly string[]>;
  readonly restrictions: BoundedCache<string, RestrictionFacts>;
}

/** The senders kept by login, under one generation and directory count (null: no such login). */
interface KeptSenders {
  readonly generation: number;
  readonly directory: number;
  readonly byLogin: BoundedCache<string, Sender | null>;
}

/**
 * Users whose restriction facts are kept (least recently used first out): about 200 bytes each
 * with no open restriction, so 50,000 users hold about 10 MB however many users send.
 */
export const MAX_CACHED_USERS = 50_000;
/** Organisations whose accepted domains are kept. */
const MAX_CACHED_ORGS = 10_000;

/**
 * SendingStateStore over Kysely, outside any transaction (no BEGIN IMMEDIATE per SMTP command).
 * The open restriction and the last unblock come from one statement.
 *
 * When the store was opened for a server node, what was read is kept (policies, accepted domains
 * per organisation, restriction facts per user) under the store's StateChanges generation, and a
 * command whose state is all cached costs no store round trip. The generation moves on every
 * write to policies or accepted domains in this process (and after its commit), and on every
 * change seen from elsewhere; a write to one user's restrictions in this process drops that user's
 * facts only (StateChanges.restricted), so a restriction does not empty every sender's state.
 * Changes from elsewhere are checked before every call (StateChanges.probe): SQLite's
 * `PRAGMA data_version` (any other connection on the file committed; synchronous, no round trip),
 * PostgreSQL's audit head (one index lookup shared by all the commands waiting for it, instead of
 * three queries per command). A read that overlapped a generation change is used once and not
 * kept. Inside a unit of work nothing is cached.
 */
export class KyselySendingStateStore implements SendingStateStore {
  readonly #ctx: StoreContext;
  #cache: Cached | undefined;
  #senders: KeptSenders | undefined;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async read(userId: string, orgId: string): Promise<SendingState> {
    const changes = this.#ctx.changes;
    const usable = this.#probe();
    if (usable !== true && !(await usable)) {
      const [restrictions, policies, orgDomains] = await Promise.all([
        this.#restrictions(userId),
        this.#policies(),
        this.#domains(orgId),
      ]);
      return { ...restrictions, policies, orgDomains };
    }
    const generation = changes.generation;
    const restricted = changes.restricted;
    if (this.#cache?.generation !== generation) {
      this.#cache = {
        generation,
        seen: restricted.length,
        policies: undefined,
        domains: new BoundedCache(MAX_CACHED_ORGS),
        restrictions: new BoundedCache(MAX_CACHED_USERS),
      };
    }
    const cache = this.#cache;
    // This process restricted or released users since: only their facts go.
    while (cache.seen < restricted.length) cache.restrictions.delete(restricted[cache.seen++] as string);
    const seen = cache.seen;
    const known = { restrictions: cache.restrictions.get(userId, 0), domains: cache.domains.get(orgId, 0) };
    if (known.restrictions !== undefined && cache.policies !== undefined && known.domains !== undefined)
      return { ...known.restrictions, policies: cache.policies, orgDomains: known.domains };
    const [restrictions, policies, orgDomains] = await Promise.all([
      known.restrictions ?? this.#restrictions(userId),
      cache.policies ?? this.#policies(),
      known.domains ?? this.#domains(orgId),
    ]);
    // Kept only when nothing changed while it was read (the read may be older than that change).
    if (changes.generation === generation && restricted.length === seen && this.#cache === cache) {
      cache.restrictions.set(userId, restrictions, 0);
      cache.policies = policies;
      cache.domains.set(orgId, orgDomains, 0);
    }
    return { ...restrictions, policies, orgDomains };
  }

  async sender(login: string): Promise<Sender | undefined> {
    const address = login.trim().toLowerCase();
    const changes = this.#ctx.changes;
    const usable = this.#probe();
    if (usable !== true && !(await usable)) return this.#sender(address);
    const { generation, directory } = changes;
    let kept = this.#senders;
    if (kept?.generation !== generation || kept.directory !== directory) {
      kept = { generation, directory, byLogin: new BoundedCache(MAX_CACHED_USERS) };
      this.#senders = kept;
    }
    const known = kept.byLogin.get(address, 0);
    if (known !== undefined) return known ?? undefined;
    const found = await this.#sender(address);
    // As in read(): kept only when nothing changed while it was read.
    if (changes.generation === generation && changes.directory === directory && this.#senders === kept)
      kept.byLogin.set(address, found ?? null, 0);
    return found;
  }

  /** Whether what is kept may be used (StateChanges.probe); never inside a unit of work. Synchronous on SQLite. */
  #probe(): boolean | Promise<boolean> {
    return this.#ctx.inTransaction ? false : this.#ctx.changes.probe();
  }

  /** The user an address names with all its addresses (email first, then the aliases in order), in one statement. */
  async #sender(address: string): Promise<Sender | undefined> {
    const rows = await this.#ctx.db
      .selectFrom('addresses as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .innerJoin('addresses as mine', 'mine.user_id', 'u.id')
      .select(['u.id', 'u.org_id', 'u.email', 'u.groups', 'u.sign_in_blocked', 'mine.address', 'mine.kind'])
      .where('a.address', '=', address)
      .orderBy('mine.position')
      .execute();
    return rowsToSender(rows);
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
    // Most users have neither: they share one frozen answer in the cache instead of an object each.
    if (rows.length === 0) return NO_RESTRICTION;
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

const NO_RESTRICTION: RestrictionFacts = Object.freeze({ open: undefined, lastUnblockAt: null });

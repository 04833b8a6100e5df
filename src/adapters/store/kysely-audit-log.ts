import { sql, type Selectable, type SqlBool } from 'kysely';
import { SYSTEM_ACTOR, type Actor, type AuditEntry, type AuditEventInput } from '../../core/audit/audit-event.js';
import { CHAIN_KEYED_ACTION, chainHash, chainKeyId, GENESIS_HASH } from '../../core/audit/chain.js';
import type { AuditHead, AuditLog, AuditQuery, Page } from '../../ports/stores.js';
import { clampLimit, clampOffset, LIKE_ESCAPE, likeContains, parseJson, toCount, toDate, toMillis } from './codec.js';
import type { AuditLogTable, Db } from './schema.js';
import { inTransaction, type StoreContext } from './store-context.js';

/** Advisory lock key that serialises audit appends on PostgreSQL ("SWAUDIT" in spirit; any constant works). */
const AUDIT_LOCK_KEY = 5_377_001;
const PAGE = 1000;

/**
 * actor_id and actor_label copy the actor for the audit-log search, outside the hashed JSON. When
 * either disagrees with the JSON (someone edited one side), the entry carries both values, so its
 * hash no longer matches and `audit verify` names it instead of the search silently hiding it.
 */
function actorOf(r: Selectable<AuditLogTable>): Actor {
  const stored = parseJson<Actor>(r.actor);
  if (stored.id === r.actor_id && stored.label === r.actor_label) return stored;
  return { ...stored, id: `${r.actor_id} | ${stored.id}`, label: `${r.actor_label} | ${stored.label}` };
}

function fromRow(r: Selectable<AuditLogTable>): AuditEntry {
  const before = r.before === null ? undefined : parseJson<Record<string, unknown>>(r.before);
  const after = r.after === null ? undefined : parseJson<Record<string, unknown>>(r.after);
  return {
    seq: Number(r.seq),
    at: toDate(r.at),
    actor: actorOf(r),
    action: r.action,
    target: r.target,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
    prevHash: r.prev_hash,
    hash: r.hash,
    ...(r.key_id === null ? {} : { keyId: r.key_id }),
  };
}

/** The event as it reads back from the database (JSON round trip), which is what gets hashed. */
function normalised(event: AuditEventInput): AuditEventInput {
  const json = (v: Readonly<Record<string, unknown>>) => parseJson<Record<string, unknown>>(JSON.stringify(v));
  return {
    at: new Date(event.at.getTime()),
    actor: parseJson<Actor>(JSON.stringify(event.actor)),
    action: event.action,
    target: event.target,
    ...(event.before === undefined ? {} : { before: json(event.before) }),
    ...(event.after === undefined ? {} : { after: json(event.after) }),
  };
}

/**
 * The keyed hash-chained audit log. Appends take a lock so two writers never both extend the
 * same head (which would fork the chain): pg_advisory_xact_lock on PostgreSQL, SQLite's
 * single writer (and the seq primary key as a last guard) on SQLite.
 */
export class KyselyAuditLog implements AuditLog {
  readonly #ctx: StoreContext;
  readonly #keyId: string;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
    this.#keyId = chainKeyId(ctx.auditMac);
  }

  async #readHead(db: Db): Promise<AuditHead | undefined> {
    const head = await db
      .selectFrom('audit_log')
      .select(['seq', 'hash', 'key_id'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (head === undefined) return undefined;
    return { seq: Number(head.seq), hash: head.hash, ...(head.key_id === null ? {} : { keyId: head.key_id }) };
  }

  async #insert(db: Db, head: AuditHead | undefined, event: AuditEventInput): Promise<AuditEntry> {
    const seq = head === undefined ? 1 : head.seq + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const stored = normalised(event);
    const hash = chainHash(this.#ctx.auditMac, prevHash, seq, stored);
    await db
      .insertInto('audit_log')
      .values({
        seq,
        at: toMillis(stored.at),
        actor: JSON.stringify(stored.actor),
        actor_id: stored.actor.id,
        actor_label: stored.actor.label,
        action: stored.action,
        target: stored.target,
        before: stored.before === undefined ? null : JSON.stringify(stored.before),
        after: stored.after === undefined ? null : JSON.stringify(stored.after),
        prev_hash: prevHash,
        hash,
        key_id: this.#keyId,
      })
      .execute();
    return { ...stored, seq, prevHash, hash, keyId: this.#keyId };
  }

  /** Under the append lock: the transition entry pins the plain SHA-256 head with the keyed chain. */
  async #sealed(db: Db, at: Date): Promise<{ head: AuditHead | undefined; transition?: AuditEntry }> {
    if (this.#ctx.kind === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_LOCK_KEY)})`.execute(db);
    const head = await this.#readHead(db);
    if (head === undefined || head.keyId !== undefined) return { head };
    const transition = await this.#insert(db, head, {
      at,
      actor: SYSTEM_ACTOR,
      action: CHAIN_KEYED_ACTION,
      target: 'audit-log',
      after: { legacyEntries: head.seq, legacyHead: head.hash },
    });
    return { head: transition, transition };
  }

  #committed(): void {
    if (this.#ctx.txAudit) this.#ctx.txAudit.touched = true;
  }

  async append(event: AuditEventInput): Promise<AuditEntry> {
    const entry = await inTransaction(this.#ctx, async (db) => {
      const { head } = await this.#sealed(db, event.at);
      return this.#insert(db, head, event);
    });
    this.#committed();
    if (!this.#ctx.inTransaction) this.#ctx.auditCommitted.listener?.();
    return entry;
  }

  async seal(at: Date): Promise<AuditEntry | undefined> {
    const { transition } = await inTransaction(this.#ctx, (db) => this.#sealed(db, at));
    if (transition !== undefined) {
      this.#committed();
      if (!this.#ctx.inTransaction) this.#ctx.auditCommitted.listener?.();
    }
    return transition;
  }

  head(): Promise<AuditHead | undefined> {
    return this.#readHead(this.#ctx.db);
  }

  async hashAt(seq: number): Promise<string | undefined> {
    const row = await this.#ctx.db.selectFrom('audit_log').select('hash').where('seq', '=', seq).executeTakeFirst();
    return row?.hash;
  }

  /**
   * Filters: a full action matches exactly, a bare noun as a prefix ("user" matches "user.created",
   * as a range so the index serves it); user is an exact email (actor or target, indexed); actor is an actor id
   * or a case-insensitive part of the actor's label; target is a case-insensitive part.
   */
  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    const filtered = (db: Db) => {
      let q = db.selectFrom('audit_log');
      if (query.action !== undefined && query.action !== '') {
        const action = query.action;
        // A full action ("user.created", what the portal sends) is one index lookup; a bare noun
        // ("user") also matches "user.*": "." is 0x2E and "/" 0x2F, so those sort in [user., user/).
        q = action.includes('.')
          ? q.where('action', '=', action)
          : q.where(sql<SqlBool>`(action = ${action} or (action >= ${`${action}.`} and action < ${`${action}/`}))`);
      }
      if (query.user !== undefined && query.user !== '') {
        const user = query.user.trim().toLowerCase();
        q = q.where((eb) => eb.or([eb('actor_label', '=', user), eb('target', '=', `user:${user}`)]));
      }
      if (query.actor !== undefined && query.actor !== '') {
        const pattern = likeContains(query.actor.toLowerCase());
        const actor = query.actor;
        q = q.where(
          sql<SqlBool>`(actor_id = ${actor} or lower(actor_label) like ${pattern} escape ${sql.lit(LIKE_ESCAPE)})`,
        );
      }
      if (query.target !== undefined && query.target !== '') {
        q = q.where(
          sql<SqlBool>`lower(target) like ${likeContains(query.target.toLowerCase())} escape ${sql.lit(LIKE_ESCAPE)}`,
        );
      }
      if (query.from !== undefined) q = q.where('at', '>=', toMillis(query.from));
      if (query.to !== undefined) q = q.where('at', '<=', toMillis(query.to));
      return q;
    };
    const rows = await filtered(this.#ctx.db)
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(clampLimit(query.limit))
      .offset(clampOffset(query.offset))
      .execute();
    const total = await filtered(this.#ctx.db)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map(fromRow), total: toCount(total.n) };
  }

  async *all(since?: Date): AsyncIterable<AuditEntry> {
    let after = 0;
    for (;;) {
      let q = this.#ctx.db.selectFrom('audit_log').selectAll().where('seq', '>', after);
      if (since !== undefined) q = q.where('at', '>=', toMillis(since));
      const rows = await q.orderBy('seq').limit(PAGE).execute();
      for (const r of rows) yield fromRow(r);
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }
}

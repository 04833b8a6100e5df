import { sql, type Selectable, type SqlBool } from 'kysely';
import type { Actor, AuditEntry, AuditEventInput } from '../../core/audit/audit-event.js';
import { chainHash, GENESIS_HASH } from '../../core/audit/chain.js';
import type { AuditLog, AuditQuery, Page } from '../../ports/stores.js';
import {
  clampLimit,
  clampOffset,
  escapeLike,
  LIKE_ESCAPE,
  likeContains,
  parseJson,
  toCount,
  toDate,
  toMillis,
} from './codec.js';
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
  };
}

/**
 * The hash-chained audit log. Appends take a lock so two writers never both extend the
 * same head (which would fork the chain): pg_advisory_xact_lock on PostgreSQL, SQLite's
 * single writer (and the seq primary key as a last guard) on SQLite.
 */
export class KyselyAuditLog implements AuditLog {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async append(event: AuditEventInput): Promise<AuditEntry> {
    return inTransaction(this.#ctx, async (db) => {
      if (this.#ctx.kind === 'postgres') {
        await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_LOCK_KEY)})`.execute(db);
      }
      const head = await db
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const seq = head === undefined ? 1 : Number(head.seq) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      // Stored and hashed from the same JSON round-trip, so verification after a read sees what was hashed.
      const stored: AuditEventInput = {
        at: new Date(event.at.getTime()),
        actor: parseJson<Actor>(JSON.stringify(event.actor)),
        action: event.action,
        target: event.target,
        ...(event.before === undefined
          ? {}
          : { before: parseJson<Record<string, unknown>>(JSON.stringify(event.before)) }),
        ...(event.after === undefined
          ? {}
          : { after: parseJson<Record<string, unknown>>(JSON.stringify(event.after)) }),
      };
      const hash = chainHash(this.#ctx.sha256, prevHash, seq, stored);
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
        })
        .execute();
      return { ...stored, seq, prevHash, hash };
    });
  }

  /**
   * Filters: action matches exactly or as a prefix ("user" matches "user.created"); actor is an
   * actor id or a case-insensitive part of the actor's label; target is a case-insensitive part.
   */
  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    const filtered = (db: Db) => {
      let q = db.selectFrom('audit_log');
      if (query.action !== undefined && query.action !== '') {
        const action = query.action;
        q = q.where(
          sql<SqlBool>`(action = ${action} or action like ${`${escapeLike(action)}.%`} escape ${sql.lit(LIKE_ESCAPE)})`,
        );
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

  async *all(): AsyncIterable<AuditEntry> {
    let after = 0;
    for (;;) {
      const rows = await this.#ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(PAGE)
        .execute();
      for (const r of rows) yield fromRow(r);
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }
}

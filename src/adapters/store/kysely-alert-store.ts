import type { Insertable, Selectable } from 'kysely';
import type { Alert, AlertType, Severity } from '../../core/alerts/alert.js';
import type { AlertQuery, AlertStore, Page } from '../../ports/stores.js';
import {
  clampLimit,
  clampOffset,
  parseJson,
  toCount,
  toDate,
  toDateOrNull,
  toMillis,
  toMillisOrNull,
} from './codec.js';
import type { AlertsTable, Db } from './schema.js';
import type { StoreContext } from './store-context.js';

function toRow(a: Alert): Insertable<AlertsTable> {
  return {
    id: a.id,
    type: a.type,
    severity: a.severity,
    title: a.title,
    user_id: a.userId,
    user_email: a.userEmail,
    summary: a.summary,
    details: JSON.stringify(a.details),
    created_at: toMillis(a.createdAt),
    resolved_at: toMillisOrNull(a.resolvedAt),
    resolved_by: a.resolvedBy,
  };
}

function fromRow(r: Selectable<AlertsTable>): Alert {
  return {
    id: r.id,
    type: r.type as AlertType,
    severity: r.severity as Severity,
    title: r.title,
    userId: r.user_id,
    userEmail: r.user_email,
    summary: r.summary,
    details: parseJson<Record<string, unknown>>(r.details),
    createdAt: toDate(r.created_at),
    resolvedAt: toDateOrNull(r.resolved_at),
    resolvedBy: r.resolved_by,
  };
}

/** AlertStore over Kysely. */
export class KyselyAlertStore implements AlertStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(alert: Alert): Promise<void> {
    await this.#ctx.db.insertInto('alerts').values(toRow(alert)).execute();
  }

  async findById(id: string): Promise<Alert | undefined> {
    const row = await this.#ctx.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async update(alert: Alert): Promise<void> {
    const { id: _id, ...row } = toRow(alert);
    await this.#ctx.db.updateTable('alerts').set(row).where('id', '=', alert.id).execute();
  }

  async list(query: AlertQuery): Promise<Page<Alert>> {
    const filtered = (db: Db) => {
      let q = db.selectFrom('alerts');
      if (query.type !== undefined) q = q.where('type', '=', query.type);
      if (query.open === true) q = q.where('resolved_at', 'is', null);
      if (query.open === false) q = q.where('resolved_at', 'is not', null);
      if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
      return q;
    };
    const rows = await filtered(this.#ctx.db)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(clampLimit(query.limit))
      .offset(clampOffset(query.offset))
      .execute();
    const total = await filtered(this.#ctx.db)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map(fromRow), total: toCount(total.n) };
  }
}

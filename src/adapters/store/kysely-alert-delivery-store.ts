import type { Insertable, Selectable } from 'kysely';
import type { AlertChannel, AlertDelivery, DeliveryStatus } from '../../core/alerts/alert-delivery.js';
import type { AlertDeliveryStore } from '../../ports/stores.js';
import { toDate, toDateOrNull, toMillis, toMillisOrNull } from './codec.js';
import type { AlertDeliveriesTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function toRow(d: AlertDelivery): Insertable<AlertDeliveriesTable> {
  return {
    id: d.id,
    alert_id: d.alertId,
    channel: d.channel,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: toMillis(d.nextAttemptAt),
    claimed_until: toMillisOrNull(d.claimedUntil),
    last_error: d.lastError,
    created_at: toMillis(d.createdAt),
    sent_at: toMillisOrNull(d.sentAt),
  };
}

function fromRow(r: Selectable<AlertDeliveriesTable>): AlertDelivery {
  return {
    id: r.id,
    alertId: r.alert_id,
    channel: r.channel as AlertChannel,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at),
    claimedUntil: toDateOrNull(r.claimed_until),
    lastError: r.last_error,
    createdAt: toDate(r.created_at),
    sentAt: toDateOrNull(r.sent_at),
  };
}

/** AlertDeliveryStore over Kysely. */
export class KyselyAlertDeliveryStore implements AlertDeliveryStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insertMany(deliveries: readonly AlertDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.#ctx.db.insertInto('alert_deliveries').values(deliveries.map(toRow)).execute();
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<readonly AlertDelivery[]> {
    const at = toMillis(now);
    const db = this.#ctx.db;
    let due = db
      .selectFrom('alert_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', at)]))
      .orderBy('next_attempt_at')
      .limit(limit);
    // Two nodes scanning at once: each skips the rows the other is claiming, so no row is delivered twice.
    // SQLite has one writer at a time, so the update alone is the claim.
    if (this.#ctx.kind === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await db
      .updateTable('alert_deliveries')
      .set({ claimed_until: toMillis(leaseUntil) })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.map(fromRow).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  }

  async update(delivery: AlertDelivery): Promise<void> {
    const { id: _id, ...row } = toRow(delivery);
    await this.#ctx.db.updateTable('alert_deliveries').set(row).where('id', '=', delivery.id).execute();
  }

  async listForAlerts(alertIds: readonly string[]): Promise<readonly AlertDelivery[]> {
    if (alertIds.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('alert_id', 'in', [...alertIds])
      .orderBy('created_at')
      .orderBy('channel')
      .execute();
    return rows.map(fromRow);
  }
}

import type { Clock } from '../../ports/clock.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { isDomainError } from '../errors.js';
import { afterAttempt, DELIVERY_BACKOFF_MS, type AlertChannel, type AlertDelivery } from './alert-delivery.js';
import type { Alert } from './alert.js';

/** What the dispatcher needs, one by one. */
export interface AlertDispatcherDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  /** Hands one alert to one channel; resolves when the far side accepted it, throws otherwise. */
  readonly send: (alert: Alert, channel: AlertChannel) => Promise<void>;
  /** How long a claimed row stays leased to this node (ms); longer than one send can take. */
  readonly leaseMs?: number | undefined;
  /** Rows claimed per round. */
  readonly batch?: number | undefined;
  /** Waits between attempts (ms); DELIVERY_BACKOFF_MS unless a test shortens them. */
  readonly backoffMs?: readonly number[] | undefined;
  /** Observer: a delivery was given up after its retries. */
  readonly onFailed?: ((delivery: AlertDelivery) => void) | undefined;
}

/** A one-sentence reason for a failed attempt, never a stack trace. */
function reasonOf(err: unknown): string {
  if (isDomainError(err)) return err.message;
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const text = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  return (typeof e?.code === 'string' && !text.includes(e.code) ? `${e.code}: ${text}` : text).slice(0, 500);
}

/**
 * Delivers the alert outbox: claims due rows (leased, so two nodes never take the same one), sends
 * each, and records sent, a retry with back-off, or failed with the reason. A running server calls
 * `deliverDue` on a timer; a crash between send and record leaves the lease to expire and the row
 * is tried again (at least once, and once in the normal case).
 */
export class AlertDispatcher {
  readonly #d: AlertDispatcherDeps;

  constructor(deps: AlertDispatcherDeps) {
    this.#d = deps;
  }

  /** One round: returns how many deliveries were attempted. */
  async deliverDue(): Promise<number> {
    const now = this.#d.clock.now();
    const lease = new Date(now.getTime() + (this.#d.leaseMs ?? 120_000));
    const claimed = await this.#d.uow.run((s) => s.alertDeliveries.claimDue(now, lease, this.#d.batch ?? 20));
    for (const delivery of claimed) await this.#deliver(delivery);
    return claimed.length;
  }

  async #deliver(delivery: AlertDelivery): Promise<void> {
    let outcome: { ok: true } | { ok: false; reason: string };
    try {
      const alert = await this.#d.uow.run((s) => s.alerts.findById(delivery.alertId));
      if (!alert) throw new Error(`alert ${delivery.alertId} no longer exists`);
      await this.#d.send(alert, delivery.channel);
      outcome = { ok: true };
    } catch (err) {
      outcome = { ok: false, reason: reasonOf(err) };
    }
    const next = afterAttempt(delivery, outcome, this.#d.clock.now(), this.#d.backoffMs ?? DELIVERY_BACKOFF_MS);
    await this.#d.uow.run((s) => s.alertDeliveries.update(next));
    if (next.status === 'failed') this.#d.onFailed?.(next);
  }
}

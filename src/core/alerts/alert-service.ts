import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { AlertQuery, Page, Stores, UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import { newDeliveries, type AlertChannel, type AlertDeliveryState } from './alert-delivery.js';
import { ALERT_META, type Alert, type AlertType } from './alert.js';

/** What a caller knows when it raises an alert. */
export interface AlertInput {
  readonly type: AlertType;
  readonly userId: string | null;
  readonly userEmail: string | null;
  readonly summary: string;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** What AlertService needs, one by one. */
export interface AlertDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly random: Random;
  /** The channels every alert is queued for (email always; webhook when one is configured). */
  readonly channels: readonly AlertChannel[];
  /** Observer: an alert was written (inside the caller's transaction when one was given). */
  readonly onRaised?: ((alert: Alert) => void) | undefined;
}

/** An alert as the Alerts page lists it: with the state of its email and webhook deliveries. */
export type ListedAlert = Alert & { readonly deliveries: readonly AlertDeliveryState[] };

/** Raises an alert; with `within`, in that transaction (so it commits with the change that raised it). */
export type RaiseAlert = (input: AlertInput, within?: Stores) => Promise<unknown>;

/** Stores alerts with their outbox rows (delivered later by AlertDispatcher), lists and resolves them. */
export class AlertService {
  readonly #d: AlertDeps;

  constructor(deps: AlertDeps) {
    this.#d = deps;
  }

  /**
   * Stores the alert and one outbox row per channel, in `within` (the caller's transaction) or in
   * its own; nothing is sent here, so a process that exits right after loses nothing.
   */
  async raise(input: AlertInput, within?: Stores): Promise<Alert> {
    const meta = ALERT_META[input.type];
    const alert: Alert = {
      id: this.#d.random.uuid(),
      type: input.type,
      severity: meta.severity,
      title: meta.title,
      userId: input.userId,
      userEmail: input.userEmail,
      summary: input.summary,
      details: input.details ?? {},
      createdAt: this.#d.clock.now(),
      resolvedAt: null,
      resolvedBy: null,
    };
    const write = async (s: Stores) => {
      await s.alerts.insert(alert);
      await s.alertDeliveries.insertMany(
        newDeliveries(alert.id, this.#d.channels, alert.createdAt, () => this.#d.random.uuid()),
      );
    };
    if (within) await write(within);
    else await this.#d.uow.run(write);
    this.#d.onRaised?.(alert);
    return alert;
  }

  /** alerts.read; newest first, each with its delivery state. */
  async list(p: Principal, query: AlertQuery): Promise<Page<ListedAlert>> {
    authorize({ actorRoles: p.roles, action: 'alerts.read' });
    return this.#d.uow.run(async (s) => {
      const page = await s.alerts.list(query);
      const deliveries = await s.alertDeliveries.listForAlerts(page.items.map((a) => a.id));
      return {
        total: page.total,
        items: page.items.map((a) => ({
          ...a,
          deliveries: deliveries
            .filter((d) => d.alertId === a.id)
            .map(({ channel, status, attempts, lastError, sentAt }) => ({
              channel,
              status,
              attempts,
              lastError,
              sentAt,
            })),
        })),
      };
    });
  }

  /** alerts.resolve. */
  async resolve(p: Principal, id: string): Promise<Alert> {
    authorize({ actorRoles: p.roles, action: 'alerts.resolve' });
    const now = this.#d.clock.now();
    return this.#d.uow.run(async (s) => {
      const alert = await s.alerts.findById(id);
      if (!alert) throw new DomainError('NOT_FOUND', `There is no alert "${id}".`);
      if (alert.resolvedAt !== null) return alert;
      const resolved: Alert = { ...alert, resolvedAt: now, resolvedBy: p.actor.label };
      await s.alerts.update(resolved);
      await recordAudit(
        s,
        now,
        p.actor,
        'alert.resolved',
        `alert:${alert.id}`,
        { resolved: false },
        { resolved: true, type: alert.type },
      );
      return resolved;
    });
  }
}

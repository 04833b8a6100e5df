import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { AlertQuery, Page, UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import { ALERT_META, type Alert, type AlertType } from './alert.js';

/** What a caller knows when it raises an alert. */
export interface AlertInput {
  readonly type: AlertType;
  readonly userId: string | null;
  readonly userEmail: string | null;
  readonly summary: string;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** The ports AlertService needs: alerts are stored in a unit of work, then handed to notify. */
export interface AlertDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly random: Random;
  /** Delivers a stored alert to admins (email) and the webhook; must not throw or block the caller. */
  readonly notify: (alert: Alert) => void;
}

/** Stores alerts, hands them to notification, lists and resolves them. */
export class AlertService {
  readonly #d: AlertDeps;

  constructor(deps: AlertDeps) {
    this.#d = deps;
  }

  /** Stores the alert (its own small transaction) and notifies admins and the webhook. */
  async raise(input: AlertInput): Promise<Alert> {
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
    await this.#d.uow.run((s) => s.alerts.insert(alert));
    this.#d.notify(alert);
    return alert;
  }

  /** alerts.read; newest first. */
  async list(p: Principal, query: AlertQuery): Promise<Page<Alert>> {
    authorize({ actorRoles: p.roles, action: 'alerts.read' });
    return this.#d.uow.run((s) => s.alerts.list(query));
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

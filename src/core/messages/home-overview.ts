import type { Clock } from '../../ports/clock.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { RestrictionService } from '../restrictions/restriction-service.js';
import type { Principal } from '../roles/principal.js';
import { can, type Action } from '../roles/roles.js';
import type { MessageReader } from './message-reader.js';

const HOUR_MS = 3_600_000;
/** Outcomes the Home chart draws as refused; every other outcome counts as relayed. */
const REFUSED = new Set(['rejected', 'deferred']);

/** One hour of the Home chart: messages relayed and refused in the UTC hour starting at `hour`. */
export interface OverviewHour {
  readonly hour: Date;
  readonly relayed: number;
  readonly refused: number;
}

/** The Home page's numbers for one principal; a number the principal may not read is 0 (or empty). */
export interface HomeOverview {
  /** Users restricted now (0 without "restricted.read"). */
  readonly restrictedCount: number;
  /** Open alerts (0 without "alerts.read"). */
  readonly openAlerts: number;
  /** The current UTC hour and the 23 before it, oldest first (zeros without "messages.read"). */
  readonly hourly: readonly OverviewHour[];
  /** The 10 busiest senders over those 24 hours (none without "messages.read"). */
  readonly topSenders: readonly { readonly sender: string; readonly count: number }[];
}

/** What the overview reads, each under its own permission. */
export interface HomeOverviewDeps {
  readonly clock: Clock;
  readonly restrictions: Pick<RestrictionService, 'listRestricted'>;
  readonly alerts: Pick<AlertService, 'list'>;
  readonly messages: Pick<MessageReader, 'hourlyCounts' | 'topSenders'>;
}

/**
 * The Home overview (issue 14): restricted users now, open alerts, the last 24 hours by hour and
 * the top senders, each shown only to roles that may read its source (the role table decides here,
 * not the HTTP route). The message counts come from the store's hourly rollups.
 */
export class HomeOverviewService {
  readonly #deps: HomeOverviewDeps;

  constructor(deps: HomeOverviewDeps) {
    this.#deps = deps;
  }

  /** The overview as `p` may see it. */
  async forPrincipal(p: Principal): Promise<HomeOverview> {
    const now = this.#deps.clock.now();
    const since = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);
    const may = (action: Action) => can({ actorRoles: p.roles, action });
    const [restricted, alerts, counts, top] = await Promise.all([
      may('restricted.read') ? this.#deps.restrictions.listRestricted(p) : Promise.resolve([]),
      may('alerts.read') ? this.#deps.alerts.list(p, { open: true, limit: 1 }) : Promise.resolve({ total: 0 }),
      this.#deps.messages.hourlyCounts(p, since),
      this.#deps.messages.topSenders(p, since, 10),
    ]);
    const hourly = Array.from({ length: 24 }, (_, i) => ({
      hour: new Date(since.getTime() + i * HOUR_MS),
      relayed: 0,
      refused: 0,
    }));
    for (const c of counts) {
      const slot = hourly[Math.floor((c.hour.getTime() - since.getTime()) / HOUR_MS)];
      if (!slot) continue;
      if (REFUSED.has(c.outcome)) slot.refused += c.count;
      else slot.relayed += c.count;
    }
    return { restrictedCount: restricted.length, openAlerts: alerts.total, hourly, topSenders: top };
  }
}

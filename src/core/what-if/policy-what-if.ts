import type { Clock } from '../../ports/clock.js';
import type { ReplaySource, ReplayUser } from '../../ports/replay-source.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import type { OutboundPolicy } from '../policy/outbound-policy.js';
import {
  proposeCustomPolicy,
  proposeDefaultPolicy,
  type CustomPolicyPatch,
  type PolicyPatch,
} from '../policy/policy-admin.js';
import { matchPolicy } from '../policy/policy-match.js';
import { DAY_MS } from '../policy/sending-limits.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import { UserReplay } from './user-replay.js';
import { emptyResult, WhatIfCollector, type WhatIfReport } from './what-if-report.js';

/** The range and size of a what-if. */
export interface WhatIfOptions {
  /** Days back from now, 1 to the message log's retention; default 7 (or the retention, if shorter). */
  readonly days?: number | undefined;
  /** Users listed, 1 to MAX_LISTED_USERS; default 200. The totals always count everyone. */
  readonly maxUsers?: number | undefined;
}

/** At most this many users are listed in one answer. */
export const MAX_LISTED_USERS = 1_000;

/** The ports PolicyWhatIf needs, one by one: it reads the log and writes only its audit entry. */
export interface PolicyWhatIfDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly source: ReplaySource;
  /** SENDWARDEN_MESSAGE_LOG_DAYS: how far back the message log reaches. */
  readonly retentionDays: number;
}

/**
 * What-if (issue 17): replays the message log of the last `days` through a proposed policy, user
 * by user, and says who would have been restricted, deferred or alerted, when first, by which rule,
 * and how that differs from what really happened. A proposal is validated exactly as saving it
 * would be (the same errors), nothing is stored, and each what-if is audited as a read
 * (`policy.what-if`). Memory stays bounded: one user's windows at a time, rows in pages.
 */
export class PolicyWhatIf {
  readonly #d: PolicyWhatIfDeps;

  constructor(deps: PolicyWhatIfDeps) {
    this.#d = deps;
  }

  /** policy.read: the default policy with `patch` applied, replayed. */
  async previewDefault(p: Principal, patch: PolicyPatch, options: WhatIfOptions = {}): Promise<WhatIfReport> {
    return this.#preview(p, options, (all, now) => proposeDefaultPolicy(all, patch, now));
  }

  /** policy.read: the custom policy `idOrName` with `patch` applied (scope, priority and all), replayed. */
  async previewCustom(
    p: Principal,
    idOrName: string,
    patch: CustomPolicyPatch,
    options: WhatIfOptions = {},
  ): Promise<WhatIfReport> {
    return this.#preview(p, options, (all, now) => proposeCustomPolicy(all, idOrName, patch, now));
  }

  async #preview(
    p: Principal,
    options: WhatIfOptions,
    propose: (all: readonly OutboundPolicy[], now: Date) => OutboundPolicy,
  ): Promise<WhatIfReport> {
    authorize({ actorRoles: p.roles, action: 'policy.read' });
    const { retentionDays } = this.#d;
    const days = checkRange('days', options.days ?? Math.min(7, retentionDays), retentionDays, 'days');
    const maxUsers = checkRange('maxUsers', options.maxUsers ?? 200, MAX_LISTED_USERS, 'users');
    const now = this.#d.clock.now();
    const current = await this.#d.uow.run((s) => s.policies.list());
    const proposed = propose(current, now);
    const policies = [...current.filter((x) => x.id !== proposed.id), proposed];

    const untilMs = now.getTime();
    const sinceMs = untilMs - days * DAY_MS;
    // A day of warm-up (within the retention) fills the hourly and daily windows before the range starts.
    const warmFromMs = Math.max(sinceMs - DAY_MS, untilMs - retentionDays * DAY_MS);
    const actual = await this.#d.source.restrictions(new Date(sinceMs), now);
    const collector = new WhatIfCollector(maxUsers, actual);

    let replay: { user: ReplayUser; isDeleted: boolean; policy: OutboundPolicy; run: UserReplay } | undefined;
    const finish = () => {
      if (replay) collector.add(replay.user, replay.isDeleted, replay.policy, replay.run.result());
      replay = undefined;
    };
    for await (const page of this.#d.source.rows(new Date(warmFromMs), now)) {
      const found = await this.#d.source.users([...new Set(page.map((r) => r.userId))]);
      for (const row of page) {
        if (replay?.user.id !== row.userId) {
          finish();
          const known = found.get(row.userId);
          const user = known ?? { id: row.userId, email: row.sender.toLowerCase(), aliases: [], groups: [] };
          const policy = matchPolicy(policies, user);
          replay = { user, isDeleted: known === undefined, policy, run: new UserReplay(user.id, policy, sinceMs) };
        }
        replay.run.add(row);
      }
    }
    finish();
    const unseen = collector.unseenRestrictedUsers();
    if (unseen.length > 0) {
      const found = await this.#d.source.users(unseen);
      for (const id of unseen) {
        const user = found.get(id) ?? { id, email: id, aliases: [], groups: [] };
        collector.add(user, !found.has(id), matchPolicy(policies, user), emptyResult());
      }
    }
    const report = collector.report({
      policy: { id: proposed.id, name: proposed.name, isDefault: proposed.isDefault },
      since: new Date(sinceMs),
      until: now,
      days,
      retentionDays,
    });
    await this.#d.uow.run((s) =>
      recordAudit(s, this.#d.clock.now(), p.actor, 'policy.what-if', `policy:${proposed.name}`, undefined, {
        days,
        limits: proposed.limits,
        action: proposed.action,
        rowsReplayed: report.rowsReplayed,
        restricted: report.totals.restricted,
        newRestrictions: report.totals.newRestrictions,
        noLongerRestricted: report.totals.noLongerRestricted,
      }),
    );
    return report;
  }
}

function checkRange(field: string, value: number, max: number, unit: string): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    const why = field === 'days' ? ` (the message log keeps ${max} days)` : '';
    throw new DomainError('INVALID_INPUT', `${field} must be a whole number from 1 to ${max} ${unit}${why}.`, {
      details: { field, min: 1, max },
    });
  }
  return value;
}

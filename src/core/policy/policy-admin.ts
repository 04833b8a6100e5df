import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import type { LimitAction, OutboundPolicy, SendingLimits } from './outbound-policy.js';

/** The fields an admin may change on the default outbound spam policy. */
export interface PolicyPatch {
  readonly limits?: Partial<SendingLimits> | undefined;
  readonly action?: LimitAction | undefined;
  readonly spamVerdictsToRestrict?: number | undefined;
  readonly spamWindowMinutes?: number | undefined;
  readonly spamScoreThreshold?: number | undefined;
  readonly unblockCap?: number | undefined;
  readonly unblockWindowDays?: number | undefined;
  readonly autoForwarding?: boolean | undefined;
}

const ACTIONS: readonly LimitAction[] = ['restrict-until-tomorrow', 'restrict', 'alert'];

/** Bounds of each number, published with the error message. */
const BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  externalPerHour: [0, 100_000],
  internalPerHour: [0, 100_000],
  perDay: [0, 1_000_000],
  messagesPerMinute: [1, 10_000],
  recipientsPerMessage: [1, 5_000],
  spamVerdictsToRestrict: [1, 1_000],
  spamWindowMinutes: [1, 10_080],
  spamScoreThreshold: [1, 1_000],
  unblockCap: [0, 1_000],
  unblockWindowDays: [1, 3_650],
};

function checkNumber(field: string, value: number): void {
  const [min, max] = BOUNDS[field] ?? [0, Number.MAX_SAFE_INTEGER];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DomainError('INVALID_INPUT', `${field} must be a whole number from ${min} to ${max}.`, {
      details: { field, min, max },
    });
  }
}

/** Showing and changing the default outbound spam policy. */
export class PolicyAdmin {
  readonly #uow: UnitOfWork;
  readonly #clock: Clock;
  readonly #events: EventBus;

  constructor(uow: UnitOfWork, clock: Clock, events: EventBus) {
    this.#uow = uow;
    this.#clock = clock;
    this.#events = events;
  }

  /** policy.read */
  async get(p: Principal): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.read' });
    return this.#uow.run(async (s) => requireDefault(await s.policies.getDefault()));
  }

  /** policy.write: validates every field, stores, audits before/after, and tells every node. */
  async update(p: Principal, patch: PolicyPatch): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.write' });
    for (const [k, v] of Object.entries(patch.limits ?? {})) if (v !== undefined) checkNumber(k, v);
    for (const k of [
      'spamVerdictsToRestrict',
      'spamWindowMinutes',
      'spamScoreThreshold',
      'unblockCap',
      'unblockWindowDays',
    ] as const) {
      const v = patch[k];
      if (v !== undefined) checkNumber(k, v);
    }
    if (patch.action !== undefined && !ACTIONS.includes(patch.action)) {
      throw new DomainError('INVALID_INPUT', `action must be one of ${ACTIONS.join(', ')}.`, {
        details: { field: 'action' },
      });
    }
    const now = this.#clock.now();
    const saved = await this.#uow.run(async (s) => {
      const before = requireDefault(await s.policies.getDefault());
      const after: OutboundPolicy = {
        ...before,
        ...Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && k !== 'limits')),
        limits: {
          ...before.limits,
          ...Object.fromEntries(Object.entries(patch.limits ?? {}).filter(([, v]) => v !== undefined)),
        },
        updatedAt: now,
      };
      await s.policies.save(after);
      await recordAudit(
        s,
        now,
        p.actor,
        'policy.updated',
        `policy:${after.name}`,
        policyView(before),
        policyView(after),
      );
      return after;
    });
    await this.#events.publish({ type: 'policy.changed' });
    return saved;
  }
}

function requireDefault(policy: OutboundPolicy | undefined): OutboundPolicy {
  if (!policy)
    throw new DomainError(
      'SCHEMA_CORRUPT',
      'The default outbound spam policy is missing from the database; restore a backup.',
    );
  return policy;
}

function policyView(p: OutboundPolicy): Record<string, unknown> {
  return {
    limits: p.limits,
    action: p.action,
    spamVerdictsToRestrict: p.spamVerdictsToRestrict,
    unblockCap: p.unblockCap,
    unblockWindowDays: p.unblockWindowDays,
    autoForwarding: p.autoForwarding,
  };
}

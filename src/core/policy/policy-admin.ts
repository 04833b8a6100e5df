import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import type { OutboundPolicy } from './outbound-policy.js';
import {
  applyPolicyPatch,
  checkPolicyName,
  checkPriority,
  normalizeScope,
  policyView,
  validatePolicyPatch,
  type PolicyPatch,
  type PolicyScopeInput,
} from './policy-validation.js';

export type { PolicyPatch, PolicyScopeInput } from './policy-validation.js';

/** A new custom policy: name, priority and scope are required; unset settings are copied from the default policy. */
export interface CustomPolicyInput extends PolicyPatch {
  readonly name: string;
  /** 0 is evaluated first; unique among custom policies. */
  readonly priority: number;
  readonly scope: PolicyScopeInput;
}

/** A change to a custom policy: any subset; a given scope replaces the old one as a whole. */
export interface CustomPolicyPatch extends PolicyPatch {
  readonly name?: string | undefined;
  readonly priority?: number | undefined;
  readonly scope?: PolicyScopeInput | undefined;
}

/**
 * Showing and changing the outbound spam policies: the default one (never deleted) and custom
 * ones for users, groups or domains, matched by priority with the first match winning (as in
 * Exchange Online Protection). Every change is audited with before/after and published as
 * `policy.changed`, so every node applies it to the next recipient.
 */
export class PolicyAdmin {
  readonly #uow: UnitOfWork;
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(uow: UnitOfWork, clock: Clock, random: Random) {
    this.#uow = uow;
    this.#clock = clock;
    this.#random = random;
  }

  /** policy.read: the default policy. */
  async get(p: Principal): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.read' });
    return this.#uow.run(async (s) => requireDefault(await s.policies.getDefault()));
  }

  /** policy.read: every policy in the order they are matched (custom by priority, ties by id; the default last). */
  async list(p: Principal): Promise<readonly OutboundPolicy[]> {
    authorize({ actorRoles: p.roles, action: 'policy.read' });
    const all = await this.#uow.run((s) => s.policies.list());
    return inMatchOrder(all);
  }

  /** policy.write: validates every field, stores, audits before/after, and tells every node. */
  async update(p: Principal, patch: PolicyPatch): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.write' });
    validatePolicyPatch(patch);
    const now = this.#clock.now();
    const saved = await this.#uow.run(async (s) => {
      const before = requireDefault(await s.policies.getDefault());
      const after = proposeDefaultPolicy([before], patch, now);
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
    return saved;
  }

  /** policy.write: a new custom policy; settings not given are copied from the default policy. */
  async createCustom(p: Principal, input: CustomPolicyInput): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.write' });
    validatePolicyPatch(input);
    const name = checkPolicyName(input.name);
    const priority = checkPriority(input.priority);
    const scope = normalizeScope(input.scope);
    const now = this.#clock.now();
    const id = this.#random.uuid();
    const saved = await this.#uow.run(async (s) => {
      const all = await s.policies.list();
      const base = requireDefault(all.find((x) => x.isDefault));
      checkUnique(all, id, name, priority);
      const created: OutboundPolicy = {
        ...applyPolicyPatch(base, input, now),
        id,
        name,
        isDefault: false,
        priority,
        scope,
      };
      await s.policies.save(created);
      await recordAudit(s, now, p.actor, 'policy.created', `policy:${name}`, undefined, policyView(created));
      return created;
    });
    return saved;
  }

  /** policy.write: changes a custom policy found by id or name; the default policy is changed with `update`. */
  async updateCustom(p: Principal, idOrName: string, patch: CustomPolicyPatch): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.write' });
    // Validated before the store is read, so a bad field is named even when the policy is gone.
    checkCustomPatch(patch);
    const now = this.#clock.now();
    const saved = await this.#uow.run(async (s) => {
      const all = await s.policies.list();
      const before = findCustom(all, idOrName, 'changed');
      const after = proposeCustomPolicy(all, idOrName, patch, now);
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
    return saved;
  }

  /** policy.write: deletes a custom policy found by id or name; its users fall to the next match or the default. */
  async deleteCustom(p: Principal, idOrName: string): Promise<OutboundPolicy> {
    authorize({ actorRoles: p.roles, action: 'policy.write' });
    const now = this.#clock.now();
    const deleted = await this.#uow.run(async (s) => {
      const before = findCustom(await s.policies.list(), idOrName, 'deleted');
      await s.policies.delete(before.id);
      await recordAudit(s, now, p.actor, 'policy.deleted', `policy:${before.name}`, policyView(before), undefined);
      return before;
    });
    return deleted;
  }
}

/**
 * The default policy as `update` would store it: the same validation, the same errors (INVALID_INPUT
 * naming the field), nothing stored. Used by `update` itself and by the what-if replay.
 */
export function proposeDefaultPolicy(all: readonly OutboundPolicy[], patch: PolicyPatch, now: Date): OutboundPolicy {
  validatePolicyPatch(patch);
  return applyPolicyPatch(requireDefault(all.find((x) => x.isDefault)), patch, now);
}

/**
 * A custom policy as `updateCustom` would store it, with the same validation and errors (bad fields,
 * NOT_FOUND, the default named, a taken name or priority); nothing stored.
 */
export function proposeCustomPolicy(
  all: readonly OutboundPolicy[],
  idOrName: string,
  patch: CustomPolicyPatch,
  now: Date,
): OutboundPolicy {
  const { name, priority, scope } = checkCustomPatch(patch);
  const before = findCustom(all, idOrName, 'changed');
  const after: OutboundPolicy = {
    ...applyPolicyPatch(before, patch, now),
    name: name ?? before.name,
    priority: priority ?? before.priority,
    scope: scope ?? before.scope,
  };
  checkUnique(all, before.id, after.name, after.priority);
  return after;
}

/** Validates a custom policy patch's fields and returns the normalised name, priority and scope given. */
function checkCustomPatch(patch: CustomPolicyPatch) {
  validatePolicyPatch(patch);
  return {
    name: patch.name === undefined ? undefined : checkPolicyName(patch.name),
    priority: patch.priority === undefined ? undefined : checkPriority(patch.priority),
    scope: patch.scope === undefined ? undefined : normalizeScope(patch.scope),
  };
}

/** Custom policies by priority (ties by id, as matchPolicy breaks them), then the default. */
function inMatchOrder(all: readonly OutboundPolicy[]): OutboundPolicy[] {
  const custom = all
    .filter((x) => !x.isDefault)
    .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...custom, ...all.filter((x) => x.isDefault)];
}

/** A custom policy by exact id, else by name (case-insensitive); NOT_FOUND or INVALID_INPUT for the default. */
function findCustom(all: readonly OutboundPolicy[], idOrName: string, verb: 'changed' | 'deleted'): OutboundPolicy {
  const key = idOrName.trim();
  const found = all.find((x) => x.id === key) ?? all.find((x) => x.name.toLowerCase() === key.toLowerCase());
  if (!found) throw new DomainError('NOT_FOUND', `There is no outbound spam policy "${idOrName}".`);
  if (found.isDefault) {
    throw new DomainError(
      'INVALID_INPUT',
      verb === 'deleted'
        ? 'The default policy cannot be deleted; it covers everyone no custom policy matches. Change its settings instead.'
        : 'The default policy has no name, priority or scope to change; change its settings as the default policy.',
      { details: { field: 'id' } },
    );
  }
  return found;
}

/** Names are unique among all policies, priorities among custom ones (first match wins, so a tie would be a guess). */
function checkUnique(all: readonly OutboundPolicy[], selfId: string, name: string, priority: number): void {
  const others = all.filter((x) => x.id !== selfId);
  if (others.some((x) => x.name.toLowerCase() === name.toLowerCase())) {
    throw new DomainError('INVALID_INPUT', `There is already a policy named "${name}".`, {
      details: { field: 'name' },
    });
  }
  const clash = others.find((x) => !x.isDefault && x.priority === priority);
  if (clash) {
    throw new DomainError(
      'INVALID_INPUT',
      `Priority ${priority} is already used by the policy "${clash.name}"; give each custom policy its own priority.`,
      { details: { field: 'priority' } },
    );
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

import { domainOf, normalizeAddress } from '../directory/address.js';
import { DomainError } from '../errors.js';
import type { LimitAction, OutboundPolicy, PolicyScope, SendingLimits } from './outbound-policy.js';
import { POLICY_NUMBER_BOUNDS, describeBounds, isWithinBounds, type NumberBounds } from './policy-number-bounds.js';

/** The fields an admin may change on any outbound spam policy (the default or a custom one). */
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

/** Who a custom policy covers, as an admin types it: users as email addresses, groups, domains. */
export interface PolicyScopeInput {
  readonly users?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly domains?: readonly string[] | undefined;
}

/** The limit actions, in the order they are offered. */
export const LIMIT_ACTIONS: readonly LimitAction[] = ['restrict-until-tomorrow', 'restrict', 'alert'];

/** At most this many entries in each list of a custom policy's scope. */
export const MAX_SCOPE_ENTRIES = 1_000;

/** Any number the table does not name (a limit an untyped caller invented) only has to be a whole, safe number. */
const UNLISTED: NumberBounds = { min: 0, max: Number.MAX_SAFE_INTEGER, isInteger: true };

function checkNumber(field: string, value: number): void {
  const bounds = (POLICY_NUMBER_BOUNDS as Readonly<Record<string, NumberBounds>>)[field] ?? UNLISTED;
  if (!isWithinBounds(bounds, value)) {
    throw new DomainError('INVALID_INPUT', `${field} must be ${describeBounds(bounds)}.`, {
      details: { field, min: bounds.min, max: bounds.max },
    });
  }
}

/** Throws INVALID_INPUT naming the first limit, number or action out of bounds. */
export function validatePolicyPatch(patch: PolicyPatch): void {
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
  if (patch.action !== undefined && !LIMIT_ACTIONS.includes(patch.action)) {
    throw new DomainError('INVALID_INPUT', `action must be one of ${LIMIT_ACTIONS.join(', ')}.`, {
      details: { field: 'action' },
    });
  }
}

const PATCH_FIELDS = [
  'action',
  'spamVerdictsToRestrict',
  'spamWindowMinutes',
  'spamScoreThreshold',
  'unblockCap',
  'unblockWindowDays',
  'autoForwarding',
] as const;

/**
 * `before` with the patch's defined fields (limits merged field by field) and a new updatedAt.
 * Only the PolicyPatch fields are copied, so a wider object can never change id, isDefault or scope.
 */
export function applyPolicyPatch(before: OutboundPolicy, patch: PolicyPatch, now: Date): OutboundPolicy {
  const fields = Object.fromEntries(PATCH_FIELDS.filter((k) => patch[k] !== undefined).map((k) => [k, patch[k]]));
  const limits = Object.fromEntries(
    (Object.keys(before.limits) as (keyof SendingLimits)[])
      .filter((k) => patch.limits?.[k] !== undefined)
      .map((k) => [k, patch.limits?.[k]]),
  );
  return { ...before, ...fields, limits: { ...before.limits, ...limits }, updatedAt: now };
}

/** A custom policy's name: trimmed, 1 to 64 characters. */
export function checkPolicyName(name: string): string {
  const value = name.trim();
  if (value === '' || value.length > 64) {
    throw new DomainError('INVALID_INPUT', 'A policy needs a name of 1 to 64 characters.', {
      details: { field: 'name' },
    });
  }
  return value;
}

/** A custom policy's priority: a whole number from 0 to MAX_CUSTOM_PRIORITY (lower runs first). */
export function checkPriority(priority: number): number {
  checkNumber('priority', priority);
  return priority;
}

function uniqueBy(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v.toLowerCase()) ? false : (seen.add(v.toLowerCase()), true)));
}

function checkCount(field: string, values: readonly string[]): void {
  if (values.length > MAX_SCOPE_ENTRIES) {
    throw new DomainError('INVALID_INPUT', `scope.${field} may list at most ${MAX_SCOPE_ENTRIES} entries.`, {
      details: { field: `scope.${field}` },
    });
  }
}

/**
 * Normalises a scope: users become lower-case addresses (INVALID_EMAIL names a bad one), domains
 * lower-case without a leading "@", groups trimmed; duplicates dropped. At least one entry is
 * required, because an empty scope would match nobody and only look like it does something.
 */
export function normalizeScope(input: PolicyScopeInput): PolicyScope {
  const users = uniqueBy((input.users ?? []).map((u) => normalizeAddress(u, 'scope.users')));
  const domains = uniqueBy(
    (input.domains ?? []).map((d) =>
      domainOf(normalizeAddress(`postmaster@${d.trim().replace(/^@/, '')}`, 'scope.domains')),
    ),
  );
  const groups = uniqueBy((input.groups ?? []).map((g) => g.trim()));
  if (groups.some((g) => g === '' || g.length > 256)) {
    throw new DomainError('INVALID_INPUT', 'scope.groups: a group name has 1 to 256 characters.', {
      details: { field: 'scope.groups' },
    });
  }
  checkCount('users', users);
  checkCount('groups', groups);
  checkCount('domains', domains);
  if (users.length + groups.length + domains.length === 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'A custom policy must name at least one user, group or domain it applies to; everyone else falls under the default policy.',
      { details: { field: 'scope' } },
    );
  }
  return { users, groups, domains };
}

/** What the audit log keeps of a policy: every setting, never more. */
export function policyView(p: OutboundPolicy): Record<string, unknown> {
  return {
    ...(p.isDefault ? {} : { name: p.name, priority: p.priority, scope: p.scope }),
    limits: p.limits,
    action: p.action,
    spamVerdictsToRestrict: p.spamVerdictsToRestrict,
    spamWindowMinutes: p.spamWindowMinutes,
    spamScoreThreshold: p.spamScoreThreshold,
    unblockCap: p.unblockCap,
    unblockWindowDays: p.unblockWindowDays,
    autoForwarding: p.autoForwarding,
  };
}

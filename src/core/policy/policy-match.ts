import type { Stores } from '../../ports/stores.js';
import type { User } from '../directory/user.js';
import { domainOf } from '../directory/address.js';
import { DomainError } from '../errors.js';
import type { OutboundPolicy } from './outbound-policy.js';

/** What matching looks at: a user's id, addresses and groups. */
export type PolicySubject = Pick<User, 'id' | 'email' | 'aliases' | 'groups'>;

/**
 * True when a custom policy's scope includes the user: any listed user (id, email or alias),
 * any listed group, or the domain of the user's email (case-insensitive; "any of", as
 * product.md says "custom policies for users, groups or domains"). An empty scope matches
 * nobody, so a half-made custom policy never silently covers everyone.
 */
export function policyApplies(policy: OutboundPolicy, user: PolicySubject): boolean {
  const { users, groups, domains } = policy.scope;
  const addresses = new Set([
    user.id.toLowerCase(),
    user.email.toLowerCase(),
    ...user.aliases.map((a) => a.toLowerCase()),
  ]);
  if (users.some((u) => addresses.has(u.toLowerCase()))) return true;
  const userGroups = new Set(user.groups.map((g) => g.toLowerCase()));
  if (groups.some((g) => userGroups.has(g.toLowerCase()))) return true;
  const domain = domainOf(user.email.toLowerCase());
  return domains.some((d) => d.toLowerCase() === domain);
}

/**
 * The policy that governs a user: custom policies by priority (lowest number first, ties by
 * id so every node picks the same one), first match wins; the default policy otherwise.
 * Throws INTERNAL when no default policy exists (the first migration creates it).
 */
export function matchPolicy(policies: readonly OutboundPolicy[], user: PolicySubject): OutboundPolicy {
  const custom = policies
    .filter((p) => !p.isDefault)
    .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const match = custom.find((p) => policyApplies(p, user)) ?? policies.find((p) => p.isDefault);
  if (match === undefined) {
    throw new DomainError(
      'INTERNAL',
      'No default outbound policy is stored; run the database migrations to create it.',
    );
  }
  return match;
}

/** The policy of a user read through the stores of a unit of work (for RestrictionService's policyFor). */
export async function policyFor(stores: Pick<Stores, 'policies'>, user: User): Promise<OutboundPolicy> {
  return matchPolicy(await stores.policies.list(), user);
}

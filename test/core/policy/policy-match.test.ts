/** Which outbound policy governs a user. Fakes: none (pure functions). */
import { describe, expect, it } from 'vitest';
import type { User } from '../../../src/core/directory/user.js';
import { makeUser } from '../../support/builders.js';
import { defaultPolicy, type OutboundPolicy } from '../../../src/core/policy/outbound-policy.js';
import { matchPolicy, policyApplies, policyFor } from '../../../src/core/policy/policy-match.js';
import { isDomainError } from '../../../src/core/errors.js';

const NOW = new Date('2025-03-03T10:00:00Z');
const user = (over: Partial<User> = {}): User =>
  makeUser('rob@contoso.com', {
    id: 'u-rob',
    displayName: 'Rob Young',
    aliases: ['robert@contoso.com'],
    groups: ['Sales'],
    createdAt: NOW,
    ...over,
  });
const custom = (id: string, priority: number, scope: Partial<OutboundPolicy['scope']>): OutboundPolicy => ({
  ...defaultPolicy(id, NOW),
  name: id,
  isDefault: false,
  priority,
  scope: { users: [], groups: [], domains: [], ...scope },
});
const DEFAULT = defaultPolicy('default', NOW);

describe('policy matching', () => {
  it('falls back to the default policy when no custom policy includes the user', () => {
    expect(matchPolicy([custom('p-other', 1, { users: ['megan@contoso.com'] }), DEFAULT], user()).id).toBe('default');
  });

  it('matches a custom policy by user email, alias or id, case-insensitively', () => {
    expect(policyApplies(custom('a', 1, { users: ['ROB@contoso.com'] }), user())).toBe(true);
    expect(policyApplies(custom('a', 1, { users: ['Robert@Contoso.com'] }), user())).toBe(true);
    expect(policyApplies(custom('a', 1, { users: ['u-rob'] }), user())).toBe(true);
    expect(policyApplies(custom('a', 1, { users: ['megan@contoso.com'] }), user())).toBe(false);
  });

  it('matches by group and by the domain of the user email', () => {
    expect(policyApplies(custom('g', 1, { groups: ['sales'] }), user())).toBe(true);
    expect(policyApplies(custom('g', 1, { groups: ['Finance'] }), user())).toBe(false);
    expect(policyApplies(custom('d', 1, { domains: ['Contoso.com'] }), user())).toBe(true);
    expect(policyApplies(custom('d', 1, { domains: ['fabrikam.com'] }), user())).toBe(false);
  });

  it('never applies a custom policy with an empty scope to everyone', () => {
    expect(matchPolicy([custom('empty', 0, {}), DEFAULT], user()).id).toBe('default');
  });

  it('picks the matching custom policy with the lowest priority number, whatever the list order', () => {
    const policies = [
      DEFAULT,
      custom('by-domain', 20, { domains: ['contoso.com'] }),
      custom('by-group', 10, { groups: ['Sales'] }),
      custom('not-me', 1, { users: ['x@contoso.com'] }),
    ];
    expect(matchPolicy(policies, user()).id).toBe('by-group');
    expect(matchPolicy(policies, user({ groups: [] })).id).toBe('by-domain');
  });

  it('breaks a priority tie the same way on every node (by id)', () => {
    const policies = [custom('b', 5, { groups: ['Sales'] }), custom('a', 5, { groups: ['Sales'] }), DEFAULT];
    expect(matchPolicy(policies, user()).id).toBe('a');
  });

  it('says what to do when the default policy is missing', async () => {
    let err: unknown;
    try {
      matchPolicy([], user());
    } catch (e) {
      err = e;
    }
    expect(isDomainError(err, 'INTERNAL')).toBe(true);
    expect((err as Error).message).toContain('run the database migrations');
    const stores = { policies: { list: async () => [DEFAULT] } } as unknown as Parameters<typeof policyFor>[0];
    expect((await policyFor(stores, user())).id).toBe('default');
  });
});

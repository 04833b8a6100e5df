import type { Argon2Cost } from '../../src/adapters/system/argon2-hasher.js';
import { EMPTY_LOCKOUT, type User } from '../../src/core/directory/user.js';

/** A password the strength check accepts; tests append the user's name to make each one unique. */
export const STRONG = 'correct horse battery staple 42';

/**
 * argon2id at the lowest cost libargon2 allows (1 MiB, one pass): hashing and verifying take about a
 * millisecond instead of tens, so suites that set many passwords stay fast. The production cost is
 * still exercised by the tests that build Argon2Hasher without a cost (they check the PHC string).
 */
export const TEST_ARGON2_COST: Argon2Cost = { memoryCost: 1024, timeCost: 1 };

/**
 * A mail user with no password, role, lockout or second factor: `u-<email>` in org-1, created at
 * 2025-01-01. Tests override only what they are about.
 */
export function makeUser(email = 'rob@contoso.com', over: Partial<User> = {}): User {
  return {
    id: `u-${email}`,
    orgId: 'org-1',
    email,
    displayName: email.split('@')[0] ?? email,
    aliases: [],
    groups: [],
    roles: [],
    passwordHash: null,
    passwordHistory: [],
    mustChangePassword: false,
    signInBlocked: false,
    lockout: EMPTY_LOCKOUT,
    alternateEmail: null,
    totpSecret: null,
    totpDeadline: null,
    totpLastStep: null,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    lastSignInAt: null,
    securityEpoch: 0,
    language: null,
    timeZone: null,
    ...over,
  };
}

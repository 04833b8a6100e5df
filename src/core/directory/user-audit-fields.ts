import type { User } from './user.js';

/** The audit-safe view of a user: no hashes, secrets or lockout fingerprints. */
export function publicFields(u: User): Record<string, unknown> {
  return {
    email: u.email,
    displayName: u.displayName,
    aliases: u.aliases,
    groups: u.groups,
    roles: u.roles,
    alternateEmail: u.alternateEmail,
    signInBlocked: u.signInBlocked,
    ...(u.language ? { language: u.language } : {}),
    ...(u.timeZone ? { timeZone: u.timeZone } : {}),
  };
}

/** A user's two lockout ends as ISO times (null when not locked), for the audit entry of an unlock. */
export function lockoutSummary(u: User): Record<string, unknown> {
  return {
    familiarLockedUntil: u.lockout.familiar.lockedUntil?.toISOString() ?? null,
    unfamiliarLockedUntil: u.lockout.unfamiliar.lockedUntil?.toISOString() ?? null,
  };
}

/** Only the fields of `after` whose JSON differs from `before`, each side: the audit entry of an update. */
export function diffFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}

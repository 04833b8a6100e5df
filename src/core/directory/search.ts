import type { User } from './user.js';

/**
 * How the directory matches a search text: case-insensitive substring of the email,
 * display name or any alias, so "rob" finds rob@contoso.com and "Young" finds Rob Young.
 * Stores implement the same rule in SQL; this function is the reference for the
 * conformance suite and for in-memory filtering.
 */
export function matchesSearch(user: Pick<User, 'email' | 'displayName' | 'aliases'>, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return (
    user.email.includes(needle) ||
    user.displayName.toLowerCase().includes(needle) ||
    user.aliases.some((a) => a.includes(needle))
  );
}

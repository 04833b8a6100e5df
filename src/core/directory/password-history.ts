import type { User } from './user.js';

/** The user's password hashes, current first, then the older ones newest first. */
export function passwordHistoryOf(user: User): string[] {
  return user.passwordHash === null ? [...user.passwordHistory] : [user.passwordHash, ...user.passwordHistory];
}

/** The user with `hash` as the password; the replaced one joins the history, which keeps `historySize` hashes. */
export function withNewPassword(user: User, hash: string, historySize: number): User {
  return { ...user, passwordHash: hash, passwordHistory: passwordHistoryOf(user).slice(0, historySize) };
}

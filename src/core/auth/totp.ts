import type { Session } from './credentials.js';
import { isAdmin, type User } from '../directory/user.js';

/** Admins may put off TOTP enrolment for at most this many days after their first sign-in. */
export const TOTP_POSTPONE_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every state a session can be in on the second factor; the HTTP schema's enum is built from this list. */
export const MFA_STATES = ['done', 'required', 'enrol'] as const;

/** Where a session stands on the second factor: done, code required (enrolled), or enrolment due (admin without TOTP). */
export type MfaState = (typeof MFA_STATES)[number];

/**
 * True when a sign-in of this user needs a second step: anyone enrolled, every admin (to enrol), and
 * a mail user who must enrol (an enrolment deadline was set, e.g. by the "require two-step sign-in"
 * step of an unblock).
 */
export function needsSecondFactor(user: Pick<User, 'roles' | 'totpSecret' | 'totpDeadline'>): boolean {
  return user.totpSecret !== null || isAdmin(user) || user.totpDeadline !== null;
}

/** The session's MFA state for this user. */
export function mfaStateOf(user: Pick<User, 'roles' | 'totpSecret'>, session: Pick<Session, 'mfaDone'>): MfaState {
  if (session.mfaDone) return 'done';
  return user.totpSecret !== null ? 'required' : 'enrol';
}

/** The enrolment deadline: kept once set, else `now` + 14 days (the first admin sign-in starts the clock). */
export function enrolmentDeadline(user: Pick<User, 'totpDeadline'>, now: Date): Date {
  return user.totpDeadline ?? new Date(now.getTime() + TOTP_POSTPONE_DAYS * DAY_MS);
}

/** True while an admin without TOTP may still postpone enrolment at `now`. */
export function canPostponeEnrolment(user: Pick<User, 'totpSecret' | 'totpDeadline'>, now: Date): boolean {
  return user.totpSecret === null && user.totpDeadline !== null && now.getTime() < user.totpDeadline.getTime();
}

/** The banner deadline shown to an admin who has not enrolled yet; null for everyone else. */
export function bannerDeadline(user: Pick<User, 'roles' | 'totpSecret' | 'totpDeadline'>): Date | null {
  return isAdmin(user) && user.totpSecret === null ? user.totpDeadline : null;
}

/** Lower-case hex of bytes (for ids and secrets built from the Random port). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

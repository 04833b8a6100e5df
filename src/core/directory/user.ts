import type { Role } from '../roles/roles.js';
import type { Language } from './locale.js';

/** An organisation and the domains it accepts mail for: mail to these is "internal". */
export interface Organisation {
  readonly id: string;
  readonly name: string;
  /** Lower-case domain names, e.g. ["contoso.com"]. */
  readonly domains: readonly string[];
  readonly createdAt: Date;
}

/** Smart-lockout counters for one kind of location (familiar or unfamiliar). */
export interface LockoutCounter {
  /** Failed sign-ins counted since the last lockout or success. */
  readonly failures: number;
  /** End of the current lockout, or null when not locked. */
  readonly lockedUntil: Date | null;
  /** Lockouts so far in this series; drives the growing duration (60 s, 2 min, 4 min ... 1 h). */
  readonly lockouts: number;
}

/** Smart-lockout state of a user, after Microsoft Entra smart lockout. */
export interface LockoutState {
  readonly familiar: LockoutCounter;
  readonly unfamiliar: LockoutCounter;
  /** Keyed fingerprints of the last 3 wrong passwords: a retry of one of them does not count again. */
  readonly recentWrongFingerprints: readonly string[];
  /** Client addresses (normalised, see `locationKey`) the user has signed in from successfully. */
  readonly familiarLocations: readonly string[];
}

/** A user of the directory. Email addresses are stored lower-case. */
export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly displayName: string;
  readonly aliases: readonly string[];
  readonly groups: readonly string[];
  readonly roles: readonly Role[];
  /** PHC string ($argon2id$v=19$m=...), or null when no password was ever set. */
  readonly passwordHash: string | null;
  /** PHC strings of the previous passwords, newest first (at most the policy's history size). */
  readonly passwordHistory: readonly string[];
  readonly mustChangePassword: boolean;
  readonly signInBlocked: boolean;
  readonly lockout: LockoutState;
  readonly alternateEmail: string | null;
  /** Base32 TOTP secret, or null when not enrolled. */
  readonly totpSecret: string | null;
  /** The last accepted TOTP time step (30 s counter): a code of this step or older is refused as a replay. */
  readonly totpLastStep?: number | null | undefined;
  /** When the user may no longer put off TOTP enrolment (admins only), or null. */
  readonly totpDeadline: Date | null;
  readonly createdAt: Date;
  readonly lastSignInAt: Date | null;
  /** Bumped on every password reset, sign-in block and "secure account": sessions of an older epoch are dead. */
  readonly securityEpoch: number;
  /** The language of the email sent to this user, or null/absent: the organisation default. */
  readonly language?: Language | null | undefined;
  /** The IANA time zone of the times in that email, or null/absent: the organisation default. */
  readonly timeZone?: string | null | undefined;
}

/**
 * What the sending rules read of a user (Submission, the Postfix policy service): a User is one.
 * The policy service keeps these per login between commands (SendingStateStore.sender), so
 * nothing secret (password hashes, TOTP secret, lockout state) is held for every sender.
 */
export type Sender = Pick<User, 'id' | 'orgId' | 'email' | 'aliases' | 'groups' | 'signInBlocked'>;

/** A named app password for a mail client; the secret is shown once and stored hashed. */
export interface AppPassword {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly hash: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** Fresh, empty lockout state. */
export const EMPTY_LOCKOUT: LockoutState = Object.freeze({
  familiar: Object.freeze({ failures: 0, lockedUntil: null, lockouts: 0 }),
  unfamiliar: Object.freeze({ failures: 0, lockedUntil: null, lockouts: 0 }),
  recentWrongFingerprints: Object.freeze([]) as readonly string[],
  familiarLocations: Object.freeze([]) as readonly string[],
});

/** True when the user holds any admin role. */
export function isAdmin(user: Pick<User, 'roles'>): boolean {
  return user.roles.length > 0;
}

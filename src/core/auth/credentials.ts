import type { Role } from '../roles/roles.js';

/** An API token: shown once, stored as a hash, scoped by one role, revocable, expiring. */
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** SHA-256 hex of the secret part. */
  readonly hash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** Actor label of who created it. */
  readonly createdBy: string;
}

/** A portal session. The cookie carries id + secret; only the secret's hash is stored. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly hash: string;
  /** The user's securityEpoch when the session began: an older epoch means revoked. */
  readonly epoch: number;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  /** True once the second factor (TOTP) was checked, or when none is needed. */
  readonly mfaDone: boolean;
  readonly address: string | null;
  readonly userAgent: string | null;
}

/** A self-service password reset code sent to the alternate email: single-use, short-lived. */
export interface ResetCode {
  readonly id: string;
  readonly userId: string;
  readonly hash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly attempts: number;
  readonly usedAt: Date | null;
}

import type { Clock } from '../../ports/clock.js';
import type { Sha256 } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { SafeEqual } from '../../ports/safe-equal.js';
import type { UnitOfWork } from '../../ports/stores.js';
import type { Totp } from '../../ports/totp.js';
import { recordAudit } from '../audit/record.js';
import { constantTimeEqual } from './constant-time.js';
import type { Actor } from '../audit/audit-event.js';
import { isAdmin, type User } from '../directory/user.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import type { Session } from './credentials.js';
import { canPostponeEnrolment, enrolmentDeadline, needsSecondFactor, toHex } from './totp.js';

/** Session lifetimes in milliseconds. */
export interface SessionRules {
  /** A session nobody used for this long is dead (default 8 h). */
  readonly idleMs: number;
  /** A session older than this is dead however busy (default 24 h). */
  readonly absoluteMs: number;
}

/** A portal session ends after 8 hours idle or 24 hours after sign-in, whichever comes first. */
export const DEFAULT_SESSION_RULES: SessionRules = Object.freeze({ idleMs: 8 * 3600_000, absoluteMs: 24 * 3600_000 });

/** The password check of SignInService (smart lockout, sign-in block), as sessions use it. */
export interface PasswordVerifier {
  verifyPassword(input: {
    login: string;
    password: string;
    address: string | null;
    channel: 'smtp' | 'portal';
  }): Promise<User>;
}

/** A live session and its user, as re-read for this request. */
export interface ActiveSession {
  readonly session: Session;
  readonly user: User;
}

/** The ports SessionService needs, one by one; `rules` defaults to DEFAULT_SESSION_RULES. */
export interface SessionDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly random: Random;
  readonly sha256: Sha256;
  /** Constant-time compare; node:crypto timingSafeEqual in main.ts, the core's constantTimeEqual by default. */
  readonly safeEqual?: SafeEqual | undefined;
  readonly totp: Totp;
  readonly signIn: PasswordVerifier;
  readonly rules?: SessionRules | undefined;
}

// Touching lastSeenAt on every request would turn every read into a write; a minute is far below the idle limit.
const TOUCH_EVERY_MS = 60_000;

const ENDED = 'Your session has ended. Sign in again.';

function actorOf(user: User, address: string | null): Actor {
  return { kind: 'user', id: user.id, label: user.email, ...(address ? { address } : {}) };
}

/**
 * Portal sessions: created after a good password, then the second factor for admins and anyone
 * enrolled. The cookie carries `<id>.<secret>`; only SHA-256 of the secret is stored. A session is
 * dead when revoked, idle 8 h, older than 24 h, or older than the user's securityEpoch (a sign-in
 * block, password reset or "secure account" ends every session at once).
 */
export class SessionService {
  readonly #d: SessionDeps;
  readonly #safeEqual: SafeEqual;
  readonly #rules: SessionRules;

  constructor(deps: SessionDeps) {
    this.#d = deps;
    this.#safeEqual = deps.safeEqual ?? constantTimeEqual;
    this.#rules = deps.rules ?? DEFAULT_SESSION_RULES;
  }

  /** Checks the password (channel "portal", smart lockout applies) and opens a session; `cookie` goes to the client once. */
  async signIn(input: {
    email: string;
    password: string;
    address: string | null;
    userAgent: string | null;
  }): Promise<ActiveSession & { cookie: string }> {
    const verified = await this.#d.signIn.verifyPassword({
      login: input.email,
      password: input.password,
      address: input.address,
      channel: 'portal',
    });
    const now = this.#d.clock.now();
    const secret = toHex(this.#d.random.bytes(32));
    return this.#d.uow.run(async (s) => {
      const fresh = (await s.users.findById(verified.id)) ?? verified;
      let user = fresh;
      // The first admin sign-in without TOTP starts the 14-day enrolment clock.
      if (isAdmin(user) && user.totpSecret === null && user.totpDeadline === null) {
        user = { ...user, totpDeadline: enrolmentDeadline(user, now) };
        await s.users.update(user);
      }
      const session: Session = {
        id: this.#d.random.uuid(),
        userId: user.id,
        hash: this.#d.sha256(secret),
        epoch: user.securityEpoch,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.#rules.absoluteMs),
        revokedAt: null,
        mfaDone: !needsSecondFactor(user),
        address: input.address,
        userAgent: input.userAgent === null ? null : input.userAgent.slice(0, 256),
      };
      await s.sessions.insert(session);
      await recordAudit(s, now, actorOf(user, input.address), 'session.signed-in', `user:${user.email}`, undefined, {
        sessionId: session.id,
        mfaPending: !session.mfaDone,
      });
      return { session, user, cookie: `${session.id}.${secret}` };
    });
  }

  /** The live session behind a cookie value, or UNAUTHENTICATED. */
  async authenticate(cookie: string): Promise<ActiveSession> {
    const dot = cookie.indexOf('.');
    if (dot <= 0 || cookie.length > 200) throw new DomainError('UNAUTHENTICATED', ENDED);
    const id = cookie.slice(0, dot);
    const hash = this.#d.sha256(cookie.slice(dot + 1));
    const now = this.#d.clock.now();
    return this.#d.uow.run(async (s) => {
      const session = await s.sessions.findById(id);
      if (!session || !this.#safeEqual(session.hash, hash)) throw new DomainError('UNAUTHENTICATED', ENDED);
      const user = await s.users.findById(session.userId);
      if (!user || !this.#isLive(session, user, now)) throw new DomainError('UNAUTHENTICATED', ENDED);
      if (now.getTime() - session.lastSeenAt.getTime() < TOUCH_EVERY_MS) return { session, user };
      const touched: Session = { ...session, lastSeenAt: now };
      await s.sessions.update(touched);
      return { session: touched, user };
    });
  }

  /** Second step for an enrolled user: a current TOTP code. */
  async verifyTotp(a: ActiveSession, code: string, address: string | null): Promise<ActiveSession> {
    if (a.user.totpSecret === null) {
      throw new DomainError('TOTP_REQUIRED', 'You have not enrolled an authenticator app yet: enrol one first.');
    }
    return this.#completeMfa(a, a.user.totpSecret, code, address, false);
  }

  /** The secret to enrol (derived, not stored until a code proves the app has it) and its otpauth:// URI. */
  enrolment(a: ActiveSession): { secret: string; otpauthUrl: string } {
    if (a.user.totpSecret !== null) {
      throw new DomainError('INVALID_INPUT', 'An authenticator app is already enrolled for this account.');
    }
    const secret = this.#enrolmentSecret(a.session);
    return { secret, otpauthUrl: this.#d.totp.keyUri(secret, a.user.email) };
  }

  /** Stores the enrolment secret once a code from the app matches it; the session's second step is then done. */
  async enrolTotp(a: ActiveSession, code: string, address: string | null): Promise<ActiveSession> {
    if (a.user.totpSecret !== null) {
      throw new DomainError('INVALID_INPUT', 'An authenticator app is already enrolled for this account.');
    }
    return this.#completeMfa(a, this.#enrolmentSecret(a.session), code, address, true);
  }

  /** An admin without TOTP goes on without it, until the deadline (at most 14 days after the first sign-in). */
  async postponeEnrolment(a: ActiveSession, address: string | null): Promise<ActiveSession> {
    const now = this.#d.clock.now();
    if (!canPostponeEnrolment(a.user, now)) {
      throw new DomainError(
        'TOTP_REQUIRED',
        'Enrolment in an authenticator app can no longer be postponed: enrol now.',
        {
          details: { deadline: a.user.totpDeadline?.toISOString() ?? null },
        },
      );
    }
    return this.#d.uow.run(async (s) => {
      const session: Session = { ...a.session, mfaDone: true, lastSeenAt: now };
      await s.sessions.update(session);
      await recordAudit(s, now, actorOf(a.user, address), 'user.totp-postponed', `user:${a.user.email}`, undefined, {
        deadline: a.user.totpDeadline?.toISOString() ?? null,
      });
      return { session, user: a.user };
    });
  }

  /** Ends this session (sign out). */
  async signOut(a: ActiveSession, address: string | null): Promise<void> {
    const now = this.#d.clock.now();
    await this.#d.uow.run(async (s) => {
      await s.sessions.update({ ...a.session, revokedAt: now });
      await recordAudit(s, now, actorOf(a.user, address), 'session.signed-out', `user:${a.user.email}`, undefined, {
        sessionId: a.session.id,
      });
    });
  }

  /** The user's live sessions, newest first. */
  async listOwn(a: ActiveSession): Promise<readonly Session[]> {
    const now = this.#d.clock.now();
    const all = await this.#d.uow.run((s) => s.sessions.listByUser(a.user.id));
    return all
      .filter((x) => this.#isLive(x, a.user, now))
      .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime());
  }

  /** Revokes a session: one's own always; anyone else's needs "sessions.revoke". NOT_FOUND otherwise. */
  async revoke(p: Principal, sessionId: string): Promise<void> {
    const now = this.#d.clock.now();
    await this.#d.uow.run(async (s) => {
      const session = await s.sessions.findById(sessionId);
      if (!session) throw new DomainError('NOT_FOUND', 'There is no such session.');
      if (session.userId !== p.userId) authorize({ actorRoles: p.roles, action: 'sessions.revoke' });
      const owner = await s.users.findById(session.userId);
      if (session.revokedAt === null) await s.sessions.update({ ...session, revokedAt: now });
      await recordAudit(s, now, p.actor, 'session.revoked', `user:${owner?.email ?? session.userId}`, undefined, {
        sessionId,
      });
    });
  }

  /** The Principal a session acts as. */
  principalOf(a: ActiveSession, address: string | null): Principal {
    return { actor: actorOf(a.user, address), roles: a.user.roles, userId: a.user.id };
  }

  #isLive(session: Session, user: User, now: Date): boolean {
    const t = now.getTime();
    return (
      session.revokedAt === null &&
      t < session.expiresAt.getTime() &&
      t - session.lastSeenAt.getTime() < this.#rules.idleMs &&
      session.epoch >= user.securityEpoch &&
      !user.signInBlocked
    );
  }

  #enrolmentSecret(session: Session): string {
    return this.#d.totp.deriveSecret(`${session.userId}\n${session.id}\n${session.createdAt.toISOString()}`);
  }

  async #completeMfa(
    a: ActiveSession,
    secret: string,
    code: string,
    address: string | null,
    enrol: boolean,
  ): Promise<ActiveSession> {
    const now = this.#d.clock.now();
    const step = this.#d.totp.verify(secret, code, now);
    // A code already used (same or older step) is a replay: someone watched or intercepted it.
    if (step === null || (a.user.totpLastStep ?? -1) >= step) {
      throw new DomainError(
        'TOTP_INVALID',
        'That code is not right. Enter the 6 digits your authenticator app shows now.',
        {
          details: { field: 'code' },
        },
      );
    }
    return this.#d.uow.run(async (s) => {
      const fresh = (await s.users.findById(a.user.id)) ?? a.user;
      if ((fresh.totpLastStep ?? -1) >= step) {
        throw new DomainError('TOTP_INVALID', 'That code was already used. Wait for the next one.', {
          details: { field: 'code' },
        });
      }
      const user: User = enrol
        ? { ...fresh, totpSecret: secret, totpDeadline: null, totpLastStep: step }
        : { ...fresh, totpLastStep: step };
      await s.users.update(user);
      if (enrol) await recordAudit(s, now, actorOf(user, address), 'user.totp-enrolled', `user:${user.email}`);
      const session: Session = { ...a.session, mfaDone: true, lastSeenAt: now };
      await s.sessions.update(session);
      return { session, user };
    });
  }
}

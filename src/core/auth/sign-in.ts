import type { Clock } from '../../ports/clock.js';
import type { PasswordHasher, Sha256 } from '../../ports/password-hasher.js';
import type { UnitOfWork } from '../../ports/stores.js';
import type { AlertInput } from '../alerts/alert-service.js';
import { recordAudit } from '../audit/record.js';
import type { User } from '../directory/user.js';
import { DomainError } from '../errors.js';
import {
  DEFAULT_LOCKOUT_RULES,
  lockedUntil,
  recordFailure,
  recordSuccess,
  type LockoutRules,
} from '../lockout/smart-lockout.js';
import { constantTimeEqual } from './constant-time.js';

/** Where a sign-in comes from; SMTP AUTH also accepts app passwords. */
export type SignInChannel = 'smtp' | 'portal';

export interface SignInDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly sha256: Sha256;
  readonly clock: Clock;
  readonly raiseAlert: (input: AlertInput) => Promise<unknown>;
  /** Called for every failed sign-in and lockout (metrics); optional. */
  readonly onOutcome?: ((outcome: 'success' | 'failure' | 'locked', channel: SignInChannel) => void) | undefined;
  readonly rules?: LockoutRules | undefined;
}

// Verified when the login is unknown, so an unknown address costs the same time as a wrong password
// (the PasswordHasher port promises that verify('', ...) costs a real verification).
const DUMMY_HASH = '';

/**
 * The one sign-in used by SMTP AUTH and the portal alike: password (or app password on SMTP),
 * smart lockout, sign-in status. Throws AUTH_FAILED, ACCOUNT_LOCKED or SIGN_IN_BLOCKED.
 */
export class SignInService {
  readonly #d: SignInDeps;
  readonly #rules: LockoutRules;

  constructor(deps: SignInDeps) {
    this.#d = deps;
    this.#rules = deps.rules ?? DEFAULT_LOCKOUT_RULES;
  }

  async verifyPassword(input: {
    login: string;
    password: string;
    address: string | null;
    channel: SignInChannel;
  }): Promise<User> {
    const now = this.#d.clock.now();
    const user = await this.#d.uow.run((s) => s.users.findByAddress(input.login.trim().toLowerCase()));
    if (!user || user.passwordHash === null) {
      await this.#d.hasher.verify(DUMMY_HASH, input.password).catch(() => false);
      this.#d.onOutcome?.('failure', input.channel);
      throw authFailed();
    }
    const until = lockedUntil(user.lockout, input.address, now);
    if (until !== null) {
      this.#d.onOutcome?.('locked', input.channel);
      throw locked(until, now);
    }
    const appPasswordId = await this.#check(user, input.password, input.channel);
    if (appPasswordId === null) return this.#fail(user, input.password, input.address, input.channel);
    if (user.signInBlocked) {
      this.#d.onOutcome?.('failure', input.channel);
      throw new DomainError('SIGN_IN_BLOCKED', 'Sign-in is blocked for this account. Contact your administrator.');
    }
    const signedIn = await this.#d.uow.run(async (s) => {
      const fresh = (await s.users.findById(user.id)) ?? user;
      const after: User = {
        ...fresh,
        lockout: recordSuccess(fresh.lockout, input.address, this.#rules),
        lastSignInAt: now,
      };
      await s.users.update(after);
      if (appPasswordId !== 'primary') await s.appPasswords.touch(appPasswordId, now);
      return after;
    });
    this.#d.onOutcome?.('success', input.channel);
    return signedIn;
  }

  /** 'primary', an app password id, or null when nothing matches. */
  async #check(user: User, password: string, channel: SignInChannel): Promise<string | null> {
    if (user.passwordHash !== null && (await this.#d.hasher.verify(user.passwordHash, password))) return 'primary';
    if (channel !== 'smtp') return null;
    const digest = this.#d.sha256(password.replaceAll('-', '').replaceAll(' ', ''));
    const appPasswords = await this.#d.uow.run((s) => s.appPasswords.listByUser(user.id));
    const match = appPasswords.find((a) => constantTimeEqual(a.hash, digest));
    return match ? match.id : null;
  }

  async #fail(user: User, password: string, address: string | null, channel: SignInChannel): Promise<never> {
    const now = this.#d.clock.now();
    const fingerprint = this.#d.hasher.fingerprint(user.id, password);
    const outcome = await this.#d.uow.run(async (s) => {
      const fresh = (await s.users.findById(user.id)) ?? user;
      const result = recordFailure(fresh.lockout, address, fingerprint, now, this.#rules);
      if (result.counted) await s.users.update({ ...fresh, lockout: result.state });
      if (result.lockedNow) {
        await recordAudit(
          s,
          now,
          { kind: 'system', id: 'system', label: 'Sendwarden', address: address ?? undefined },
          'user.locked-out',
          `user:${fresh.email}`,
          undefined,
          {
            lockedUntil: result.lockedUntil?.toISOString(),
            location: address,
          },
        );
      }
      return result;
    });
    if (outcome.lockedNow && outcome.lockedUntil) {
      this.#d.onOutcome?.('locked', channel);
      await this.#d.raiseAlert({
        type: 'account-locked',
        userId: user.id,
        userEmail: user.email,
        summary: `${user.email} was locked out after ${this.#rules.threshold} failed sign-ins until ${outcome.lockedUntil.toISOString()}.`,
        details: { lockedUntil: outcome.lockedUntil.toISOString(), address },
      });
      throw locked(outcome.lockedUntil, now);
    }
    this.#d.onOutcome?.('failure', channel);
    throw authFailed();
  }
}

function authFailed(): DomainError {
  return new DomainError('AUTH_FAILED', 'The email address or password is not correct.');
}

function locked(until: Date, now: Date): DomainError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new DomainError(
    'ACCOUNT_LOCKED',
    `The account is temporarily locked after repeated failed sign-ins. Try again in ${seconds} seconds, or ask an administrator to unlock it.`,
    {
      details: { retryAfterSeconds: seconds },
    },
  );
}

import type { Clock } from '../../ports/clock.js';
import type { PasswordHasher, Sha256 } from '../../ports/password-hasher.js';
import type { UnitOfWork } from '../../ports/stores.js';
import type { RaiseAlert } from '../alerts/alert-service.js';
import { recordAudit } from '../audit/record.js';
import { EMPTY_LOCKOUT, type LockoutState, type User } from '../directory/user.js';
import { DomainError } from '../errors.js';
import {
  DEFAULT_LOCKOUT_RULES,
  isSuccessUnchanged,
  lockedUntil,
  recordFailure,
  recordSuccess,
  type FailureOutcome,
  type LockoutRules,
} from '../lockout/smart-lockout.js';
import { constantTimeEqual } from './constant-time.js';

/**
 * Where a sign-in comes from; SMTP AUTH also accepts app passwords. 'dovecot' is a sign-in that
 * Dovecot verified itself (IMAP, POP3, Postfix SASL) and reported through its auth policy hook.
 */
export type SignInChannel = 'smtp' | 'portal' | 'dovecot';

/**
 * What a mail server that checks passwords itself (Dovecot) asks before and reports after:
 * `login` as typed, the client `address`, and for a failure a keyed hash of the wrong password
 * (Dovecot's `hashed_password`), so a retry of one of the last wrong passwords is not counted again.
 */
export interface ExternalSignIn {
  readonly login: string;
  readonly address: string | null;
}

/** The ports SignInService needs, one by one; `rules` (smart lockout) defaults to DEFAULT_LOCKOUT_RULES. */
export interface SignInDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly sha256: Sha256;
  readonly clock: Clock;
  /** Writes an alert; the lockout alert commits with the lockout itself. */
  readonly raiseAlert: RaiseAlert;
  /** Called for every failed sign-in and lockout (metrics); optional. */
  readonly onOutcome?: ((outcome: 'success' | 'failure' | 'locked', channel: SignInChannel) => void) | undefined;
  readonly rules?: LockoutRules | undefined;
}

// Verified when the login is unknown, so an unknown address costs the same time as a wrong password
// (the PasswordHasher port promises that verify('', ...) costs a real verification).
const DUMMY_HASH = '';
/** Unknown logins whose failures are remembered (memory: about 300 bytes each). */
const MAX_UNKNOWN_LOGINS = 10_000;
/**
 * The last sign-in time is kept to the minute: a sign-in within a minute of the recorded one that
 * changes nothing else (see isSuccessUnchanged) writes nothing. A mail client that connects for every
 * message (or Dovecot reporting every IMAP login) no longer costs a user write per connection.
 */
export const LAST_SIGN_IN_RESOLUTION_MS = 60_000;

/**
 * The one sign-in used by SMTP AUTH and the portal alike: password (or app password on SMTP),
 * smart lockout, sign-in status. Throws AUTH_FAILED, ACCOUNT_LOCKED or SIGN_IN_BLOCKED.
 */
export class SignInService {
  readonly #d: SignInDeps;
  readonly #rules: LockoutRules;
  /** Lockout state of logins that name no account, oldest first. */
  readonly #unknown = new Map<string, LockoutState>();

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
    const login = input.login.trim().toLowerCase();
    const user = await this.#d.uow.run((s) => s.users.findByAddress(login));
    if (!user || user.passwordHash === null)
      return this.#failUnknown(login, input.password, input.address, input.channel);
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
    // A temporary password an admin set with "require change" opens only the portal's change
    // page: SMTP AUTH refuses it (535 5.7.8, logged as PASSWORD_CHANGE_REQUIRED) until it is changed.
    if (input.channel === 'smtp' && appPasswordId === 'primary' && user.mustChangePassword) {
      this.#d.onOutcome?.('failure', input.channel);
      throw new DomainError(
        'PASSWORD_CHANGE_REQUIRED',
        'This is a temporary password: change it in the portal before using it for SMTP.',
      );
    }
    const signedIn =
      appPasswordId === 'primary' && this.#nothingToRecord(user, input.address, now)
        ? user
        : await this.#d.uow.run(async (s) => {
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

  /**
   * A login that names no account is locked by the very rules of a real one (same replies,
   * and a real password verification for the same cost), so replies never tell which
   * accounts exist. Its counters live in this process only: nothing is created in the store.
   */
  async #failUnknown(login: string, password: string, address: string | null, channel: SignInChannel): Promise<never> {
    const now = this.#d.clock.now();
    const state = this.#unknown.get(login) ?? EMPTY_LOCKOUT;
    const until = lockedUntil(state, address, now);
    if (until !== null) {
      this.#d.onOutcome?.('locked', channel);
      throw locked(until, now);
    }
    await this.#d.hasher.verify(DUMMY_HASH, password).catch(() => false);
    const result = recordFailure(
      state,
      address,
      this.#d.hasher.fingerprint(`unknown:${login}`, password),
      now,
      this.#rules,
    );
    this.#unknown.delete(login);
    this.#unknown.set(login, result.state);
    // Bounded memory: the oldest entry goes first (a Map keeps insertion order).
    if (this.#unknown.size > MAX_UNKNOWN_LOGINS) this.#unknown.delete(this.#unknown.keys().next().value as string);
    if (result.lockedNow && result.lockedUntil !== null) {
      this.#d.onOutcome?.('locked', channel);
      throw locked(result.lockedUntil, now);
    }
    this.#d.onOutcome?.('failure', channel);
    throw authFailed();
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

  /**
   * May this sign-in go on? For a password checked elsewhere (Dovecot's `allow` command): 'refuse'
   * when the user's sign-in is blocked or the account is locked for this place; 'unknown' when no
   * user has this address (the site's own passdb decides; nothing is counted).
   */
  async checkExternal(input: ExternalSignIn): Promise<'allow' | 'refuse' | 'unknown'> {
    const user = await this.#find(input.login);
    if (!user) return 'unknown';
    if (user.signInBlocked || lockedUntil(user.lockout, input.address, this.#d.clock.now()) !== null) {
      this.#d.onOutcome?.(user.signInBlocked ? 'failure' : 'locked', 'dovecot');
      return 'refuse';
    }
    return 'allow';
  }

  /**
   * A wrong password reported by Dovecot: counts in the same smart lockout as SMTP and the portal
   * (same place rules, audit entry and alert on a lockout). `passwordHash` is Dovecot's keyed hash
   * of the wrong password; it is fingerprinted again with our key, so the store never holds
   * Dovecot's value. A failure while this place is locked is not counted (Sendwarden refused it).
   * Returns whether it counted.
   */
  async reportExternalFailure(input: ExternalSignIn & { readonly passwordHash: string }): Promise<boolean> {
    const user = await this.#find(input.login);
    if (!user || lockedUntil(user.lockout, input.address, this.#d.clock.now()) !== null) return false;
    const fingerprint = this.#d.hasher.fingerprint(user.id, `dovecot-policy:${input.passwordHash}`);
    const outcome = await this.#countFailure(user, fingerprint, input.address, 'dovecot');
    if (!outcome.lockedNow) this.#d.onOutcome?.('failure', 'dovecot');
    return outcome.counted;
  }

  /** A sign-in Dovecot accepted: the place becomes familiar and its counter resets, as for SMTP. */
  async reportExternalSuccess(input: ExternalSignIn): Promise<boolean> {
    const user = await this.#find(input.login);
    if (!user || user.signInBlocked) return false;
    const now = this.#d.clock.now();
    if (!this.#nothingToRecord(user, input.address, now)) {
      await this.#d.uow.run(async (s) => {
        const fresh = (await s.users.findById(user.id)) ?? user;
        await s.users.update({
          ...fresh,
          lockout: recordSuccess(fresh.lockout, input.address, this.#rules),
          lastSignInAt: now,
        });
      });
    }
    this.#d.onOutcome?.('success', 'dovecot');
    return true;
  }

  /**
   * A success that would write only a newer sign-in time within LAST_SIGN_IN_RESOLUTION_MS of the
   * recorded one. (Read just before, outside the write: a failure counted in between stays counted
   * until the next sign-in that writes, which is the safe side.)
   */
  #nothingToRecord(user: User, address: string | null, now: Date): boolean {
    const last = user.lastSignInAt;
    if (last === null) return false;
    const since = now.getTime() - last.getTime();
    return since >= 0 && since < LAST_SIGN_IN_RESOLUTION_MS && isSuccessUnchanged(user.lockout, address, this.#rules);
  }

  async #find(login: string): Promise<User | null> {
    const user = await this.#d.uow.run((s) => s.users.findByAddress(login.trim().toLowerCase()));
    return user ?? null;
  }

  async #fail(user: User, password: string, address: string | null, channel: SignInChannel): Promise<never> {
    const now = this.#d.clock.now();
    const outcome = await this.#countFailure(user, this.#d.hasher.fingerprint(user.id, password), address, channel);
    if (outcome.lockedNow && outcome.lockedUntil) throw locked(outcome.lockedUntil, now);
    this.#d.onOutcome?.('failure', channel);
    throw authFailed();
  }

  /** Counts one wrong password; on the failure that locks: audit entry, metric and alert. */
  async #countFailure(
    user: User,
    fingerprint: string,
    address: string | null,
    channel: SignInChannel,
  ): Promise<FailureOutcome> {
    const now = this.#d.clock.now();
    const outcome = await this.#d.uow.run(async (s) => {
      const fresh = (await s.users.findById(user.id)) ?? user;
      // A parallel failure may have locked this place since the caller looked: not counted again.
      const until = lockedUntil(fresh.lockout, address, now);
      if (until !== null) return { state: fresh.lockout, counted: false, lockedNow: false, lockedUntil: until };
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
        if (result.lockedUntil)
          await this.#d.raiseAlert(
            {
              type: 'account-locked',
              userId: user.id,
              userEmail: user.email,
              summary: `${user.email} was locked out after ${this.#rules.threshold} failed sign-ins until ${result.lockedUntil.toISOString()}.`,
              details: { lockedUntil: result.lockedUntil.toISOString(), address, channel },
            },
            s,
          );
      }
      return result;
    });
    if (outcome.lockedNow && outcome.lockedUntil) this.#d.onOutcome?.('locked', channel);
    return outcome;
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

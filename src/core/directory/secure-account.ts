import type { Clock } from '../../ports/clock.js';
import type { PasswordHasher } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { clearLockout } from '../lockout/smart-lockout.js';
import { generateTemporaryPassword } from '../passwords/password-policy.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import type { UnblockStep } from '../restrictions/restriction.js';
import { resolveUser } from './resolve-user.js';
import type { User } from './user.js';

/** What "Secure account" did, reported to the admin (the temporary password is shown once). */
export interface SecureAccountReport {
  readonly email: string;
  readonly temporaryPassword: string;
  readonly sessionsRevoked: number;
  readonly appPasswordsRevoked: number;
  readonly signInBlocked: boolean;
  readonly unblocked: boolean;
  readonly stepsDone: readonly UnblockStep[];
}

/** The ports and the bound RestrictionService calls SecureAccount needs, one by one. */
export interface SecureAccountDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly random: Random;
  /** RestrictionService.unblock, bound. */
  readonly unblock: (
    p: Principal,
    idOrEmail: string,
    input: { confirm: boolean; stepsDone?: readonly string[] },
  ) => Promise<unknown>;
  /** True when the user has an active restriction. */
  readonly isRestricted: (userId: string) => Promise<boolean>;
}

/**
 * The compromised-account checklist in one call: reset the password (must change), revoke sessions
 * and app passwords, optionally block sign-in, optionally unblock the sending restriction, audited
 * as one event; the unblock records which steps were done first.
 */
export class SecureAccount {
  readonly #d: SecureAccountDeps;

  constructor(deps: SecureAccountDeps) {
    this.#d = deps;
  }

  async run(
    p: Principal,
    idOrEmail: string,
    options: { blockSignIn?: boolean | undefined; unblock?: boolean | undefined },
  ): Promise<SecureAccountReport> {
    const target = await this.#d.uow.run((s) => resolveUser(s.users, idOrEmail));
    authorize({ actorRoles: p.roles, action: 'users.secure-account', targetRoles: target.roles });
    if (options.unblock) authorize({ actorRoles: p.roles, action: 'restricted.unblock' });
    const temporaryPassword = generateTemporaryPassword((n) => this.#d.random.bytes(n));
    const hash = await this.#d.hasher.hash(temporaryPassword);
    const now = this.#d.clock.now();
    const stepsDone: UnblockStep[] = ['reset-password', 'revoke-sessions', 'revoke-app-passwords'];
    const result = await this.#d.uow.run(async (s) => {
      const before = await resolveUser(s.users, target.id);
      const after: User = {
        ...before,
        passwordHash: hash,
        passwordHistory: (before.passwordHash
          ? [before.passwordHash, ...before.passwordHistory]
          : before.passwordHistory
        ).slice(0, 5),
        mustChangePassword: true,
        lockout: clearLockout(before.lockout),
        signInBlocked: options.blockSignIn ? true : before.signInBlocked,
        securityEpoch: before.securityEpoch + 1,
      };
      await s.users.update(after);
      const sessionsRevoked = await s.sessions.revokeAllForUser(before.id, now);
      const appPasswordsRevoked = await s.appPasswords.deleteAllForUser(before.id);
      await recordAudit(
        s,
        now,
        p.actor,
        'user.account-secured',
        `user:${before.email}`,
        { signInBlocked: before.signInBlocked },
        {
          passwordReset: true,
          sessionsRevoked,
          appPasswordsRevoked,
          signInBlocked: after.signInBlocked,
          unblockRequested: options.unblock === true,
        },
      );
      return { user: after, sessionsRevoked, appPasswordsRevoked };
    });
    let unblocked = false;
    if (options.unblock && (await this.#d.isRestricted(target.id))) {
      await this.#d.unblock(p, target.id, { confirm: true, stepsDone });
      unblocked = true;
    }
    return {
      email: result.user.email,
      temporaryPassword,
      sessionsRevoked: result.sessionsRevoked,
      appPasswordsRevoked: result.appPasswordsRevoked,
      signInBlocked: result.user.signInBlocked,
      unblocked,
      stepsDone,
    };
  }
}

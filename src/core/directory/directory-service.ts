import type { Clock } from '../../ports/clock.js';
import type { PasswordHasher, PasswordStrength, Sha256 } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { Page, Stores, UnitOfWork, UserQuery } from '../../ports/stores.js';
import type { AuditAction } from '../audit/audit-actions.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import { clearLockout } from '../lockout/smart-lockout.js';
import {
  DEFAULT_PASSWORD_RULES,
  checkPasswordShape,
  generateTemporaryPassword,
  type PasswordRules,
} from '../passwords/password-policy.js';
import type { Principal } from '../roles/principal.js';
import { authorize, type Action } from '../roles/roles.js';
import { newUser, validateUserFields, type NewUserInput } from './new-user.js';
import { resolveUser } from './resolve-user.js';
import type { User } from './user.js';
import { importValidRows, type ImportReport, type ImportRow } from './user-import.js';
import { orgForAddress } from './org-for-address.js';
import { passwordHistoryOf, withNewPassword } from './password-history.js';
import { diffFields, lockoutSummary, publicFields } from './user-audit-fields.js';

/** What the admin may change on a user (email is the identity and stays). */
export interface UserPatch {
  readonly displayName?: string | undefined;
  readonly aliases?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly roles?: readonly string[] | undefined;
  readonly alternateEmail?: string | null | undefined;
  /** en, fr, nb, nl, ro; null: back to the organisation default. */
  readonly language?: string | null | undefined;
  /** An IANA time zone; null: back to the organisation default. */
  readonly timeZone?: string | null | undefined;
}

/** Dependencies, one by one. */
export interface DirectoryDeps {
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly strength: PasswordStrength;
  readonly clock: Clock;
  readonly random: Random;
  readonly sha256: Sha256;
  readonly passwordRules?: PasswordRules | undefined;
}

/** Users, their passwords, sign-in status, lockout and app passwords: every admin action authorised and audited. */
export class DirectoryService {
  readonly #d: DirectoryDeps;
  readonly #rules: PasswordRules;

  constructor(deps: DirectoryDeps) {
    this.#d = deps;
    this.#rules = deps.passwordRules ?? DEFAULT_PASSWORD_RULES;
  }

  /** users.read. */
  async getUser(p: Principal, idOrEmail: string): Promise<User> {
    authorize({ actorRoles: p.roles, action: 'users.read' });
    return this.#d.uow.run((s) => resolveUser(s.users, idOrEmail));
  }

  /** users.read; search is a case-insensitive substring of email, name or alias. */
  async listUsers(p: Principal, query: UserQuery): Promise<Page<User>> {
    authorize({ actorRoles: p.roles, action: 'users.read' });
    return this.#d.uow.run((s) => s.users.list(query));
  }

  /** users.create (and users.assign-roles when roles are given). The domain joins the accepted domains if new. */
  async addUser(p: Principal, input: NewUserInput): Promise<User> {
    const fields = validateUserFields(input);
    authorize({ actorRoles: p.roles, action: 'users.create', targetRoles: fields.roles });
    if (fields.roles.length > 0) authorize({ actorRoles: p.roles, action: 'users.assign-roles' });
    const passwordHash =
      input.password === undefined
        ? null
        : await this.#newPasswordHash(input.password, [], [fields.email, fields.displayName]);
    const now = this.#d.clock.now();
    const user = await this.#d.uow.run(async (s) => {
      const orgId = await orgForAddress(s, p.actor, this.#d.random, fields.email, now);
      const created = newUser(fields, { id: this.#d.random.uuid(), orgId, passwordHash, createdAt: now });
      await s.users.insert(created);
      await recordAudit(s, now, p.actor, 'user.created', `user:${created.email}`, undefined, publicFields(created));
      return created;
    });
    return user;
  }

  /** users.update (users.assign-roles to change roles). */
  async updateUser(p: Principal, idOrEmail: string, patch: UserPatch): Promise<User> {
    const now = this.#d.clock.now();
    const user = await this.#d.uow.run(async (s) => {
      const before = await resolveUser(s.users, idOrEmail);
      authorize({ actorRoles: p.roles, action: 'users.update', targetRoles: before.roles });
      const fields = validateUserFields({
        email: before.email,
        displayName: patch.displayName ?? before.displayName,
        aliases: patch.aliases ?? before.aliases,
        groups: patch.groups ?? before.groups,
        roles: patch.roles ?? before.roles,
        alternateEmail: patch.alternateEmail === undefined ? before.alternateEmail : patch.alternateEmail,
        language: patch.language === undefined ? before.language : patch.language,
        timeZone: patch.timeZone === undefined ? before.timeZone : patch.timeZone,
      });
      if (patch.roles !== undefined && !sameSet(fields.roles, before.roles)) {
        authorize({ actorRoles: p.roles, action: 'users.assign-roles' });
      }
      const after: User = { ...before, ...fields };
      await s.users.update(after);
      await recordAudit(
        s,
        now,
        p.actor,
        'user.updated',
        `user:${after.email}`,
        diffFields(publicFields(before), publicFields(after)).before,
        diffFields(publicFields(before), publicFields(after)).after,
      );
      return after;
    });
    return user;
  }

  /**
   * A signed-in user's own language and time zone (My account): no permission needed, only the
   * principal's own account; null goes back to the organisation default. Audited as user.locale-changed.
   */
  async updateOwnLocale(
    p: Principal,
    patch: { readonly language?: string | null | undefined; readonly timeZone?: string | null | undefined },
  ): Promise<User> {
    if (p.userId === null) throw new DomainError('FORBIDDEN', 'Only a signed-in user has a language of their own.');
    const userId = p.userId;
    const now = this.#d.clock.now();
    return this.#d.uow.run(async (s) => {
      const before = await s.users.findById(userId);
      if (!before) throw new DomainError('NOT_FOUND', 'Your account no longer exists.');
      const fields = validateUserFields({
        ...before,
        language: patch.language === undefined ? before.language : patch.language,
        timeZone: patch.timeZone === undefined ? before.timeZone : patch.timeZone,
      });
      const after: User = { ...before, language: fields.language, timeZone: fields.timeZone };
      await s.users.update(after);
      const diff = diffFields(
        { language: before.language ?? null, timeZone: before.timeZone ?? null },
        { language: after.language ?? null, timeZone: after.timeZone ?? null },
      );
      await recordAudit(s, now, p.actor, 'user.locale-changed', `user:${after.email}`, diff.before, diff.after);
      return after;
    });
  }

  /** users.delete: removes the user, their app passwords and sessions. */
  async deleteUser(p: Principal, idOrEmail: string): Promise<void> {
    const now = this.#d.clock.now();
    await this.#d.uow.run(async (s) => {
      const user = await resolveUser(s.users, idOrEmail);
      authorize({ actorRoles: p.roles, action: 'users.delete', targetRoles: user.roles });
      if (p.userId === user.id)
        throw new DomainError('FORBIDDEN', 'You cannot delete your own account.', {
          details: { permission: 'users.delete' },
        });
      await s.users.delete(user.id);
      await recordAudit(s, now, p.actor, 'user.deleted', `user:${user.email}`, publicFields(user));
    });
  }

  /**
   * users.reset-password: sets a generated (or given) password, shown once to the caller and never
   * stored or logged in clear; revokes sessions (epoch) and app passwords, clears lockout.
   */
  async resetPassword(
    p: Principal,
    idOrEmail: string,
    options: { password?: string | undefined; mustChangePassword?: boolean | undefined } = {},
  ): Promise<{ user: User; temporaryPassword: string }> {
    const temporaryPassword = options.password ?? generateTemporaryPassword((n) => this.#d.random.bytes(n));
    const target = await this.#d.uow.run((s) => resolveUser(s.users, idOrEmail));
    authorize({ actorRoles: p.roles, action: 'users.reset-password', targetRoles: target.roles });
    const hash =
      options.password === undefined
        ? await this.#d.hasher.hash(temporaryPassword)
        : await this.#newPasswordHash(options.password, passwordHistoryOf(target), [target.email, target.displayName]);
    const mustChangePassword = options.mustChangePassword ?? true;
    const now = this.#d.clock.now();
    const user = await this.#d.uow.run(async (s) => {
      const before = await resolveUser(s.users, target.id);
      const after: User = {
        ...withNewPassword(before, hash, this.#rules.historySize),
        mustChangePassword,
        lockout: clearLockout(before.lockout),
        securityEpoch: before.securityEpoch + 1,
      };
      await s.users.update(after);
      const appPasswordsRevoked = await s.appPasswords.deleteAllForUser(before.id);
      const sessionsRevoked = await s.sessions.revokeAllForUser(before.id, now);
      await recordAudit(s, now, p.actor, 'user.password-reset', `user:${before.email}`, undefined, {
        mustChangePassword,
        generated: options.password === undefined,
        appPasswordsRevoked,
        sessionsRevoked,
      });
      return after;
    });
    return { user, temporaryPassword };
  }

  /** users.sign-in-status: blocking ends every session and app password at once. */
  async setSignInStatus(p: Principal, idOrEmail: string, blocked: boolean): Promise<User> {
    return this.#mutate(p, idOrEmail, 'users.sign-in-status', async (s, before, now) => {
      if (p.userId === before.id && blocked) {
        throw new DomainError('FORBIDDEN', 'You cannot block your own sign-in.', {
          details: { permission: 'users.sign-in-status' },
        });
      }
      const after: User = {
        ...before,
        signInBlocked: blocked,
        securityEpoch: blocked ? before.securityEpoch + 1 : before.securityEpoch,
      };
      await s.users.update(after);
      const revoked = blocked
        ? {
            appPasswordsRevoked: await s.appPasswords.deleteAllForUser(before.id),
            sessionsRevoked: await s.sessions.revokeAllForUser(before.id, now),
            tokensRevoked: await revokeTokensOf(s, before.email, now),
          }
        : {};
      await recordAudit(
        s,
        now,
        p.actor,
        blocked ? 'user.sign-in-blocked' : 'user.sign-in-allowed',
        `user:${before.email}`,
        { signInBlocked: before.signInBlocked },
        { signInBlocked: blocked, ...revoked },
      );
      return after;
    });
  }

  /** users.unlock: clears smart lockout. */
  async unlock(p: Principal, idOrEmail: string): Promise<User> {
    return this.#mutate(p, idOrEmail, 'users.unlock', async (s, before, now) => {
      const after: User = { ...before, lockout: clearLockout(before.lockout) };
      await s.users.update(after);
      await recordAudit(
        s,
        now,
        p.actor,
        'user.unlocked',
        `user:${before.email}`,
        { lockout: lockoutSummary(before) },
        { lockout: 'cleared' },
      );
      return after;
    });
  }

  /**
   * users.create, in bulk: every row validated first, clashes within the file and with the store
   * reported per row; valid rows inserted in batches, each row all or nothing.
   */
  async importUsers(
    p: Principal,
    rows: readonly ImportRow[],
    options: { dryRun: boolean; onProgress?: ((done: number, total: number) => void) | undefined },
  ): Promise<ImportReport> {
    authorize({ actorRoles: p.roles, action: 'users.create' });
    return importValidRows(this.#d, p, rows, options);
  }

  /** A signed-in user changes their own password (also the forced change after an admin reset). */
  async changeOwnPassword(userId: string, current: string, next: string): Promise<User> {
    const user = await this.#d.uow.run((s) => resolveUser(s.users, userId));
    if (user.passwordHash === null || !(await this.#d.hasher.verify(user.passwordHash, current))) {
      throw new DomainError('AUTH_FAILED', 'The current password is not correct.', {
        details: { field: 'currentPassword' },
      });
    }
    const hash = await this.#newPasswordHash(next, passwordHistoryOf(user), [user.email, user.displayName]);
    return this.#setOwnPassword(
      user.id,
      hash,
      'user.password-changed',
      { kind: 'user', id: user.id, label: user.email },
      false,
    );
  }

  /** After a self-service proof (code and/or TOTP): sets the password, clears lockout, never lifts a restriction. */
  async setPasswordBySelfService(userId: string, next: string): Promise<User> {
    const user = await this.#d.uow.run((s) => resolveUser(s.users, userId));
    const hash = await this.#newPasswordHash(next, passwordHistoryOf(user), [user.email, user.displayName]);
    return this.#setOwnPassword(
      user.id,
      hash,
      'user.password-reset-self-service',
      { kind: 'user', id: user.id, label: user.email },
      true,
    );
  }

  async #setOwnPassword(
    userId: string,
    hash: string,
    action: AuditAction,
    actor: Principal['actor'],
    clearLock: boolean,
  ): Promise<User> {
    const now = this.#d.clock.now();
    const user = await this.#d.uow.run(async (s) => {
      const before = await resolveUser(s.users, userId);
      const after: User = {
        ...withNewPassword(before, hash, this.#rules.historySize),
        mustChangePassword: false,
        lockout: clearLock ? clearLockout(before.lockout) : before.lockout,
        securityEpoch: clearLock ? before.securityEpoch + 1 : before.securityEpoch,
      };
      await s.users.update(after);
      if (clearLock) await s.sessions.revokeAllForUser(before.id, now);
      await recordAudit(s, now, actor, action, `user:${before.email}`, undefined, { lockoutCleared: clearLock });
      return after;
    });
    return user;
  }

  async #mutate(
    p: Principal,
    idOrEmail: string,
    action: Action,
    change: (s: Stores, before: User, now: Date) => Promise<User>,
  ): Promise<User> {
    const now = this.#d.clock.now();
    const user = await this.#d.uow.run(async (s) => {
      const before = await resolveUser(s.users, idOrEmail);
      authorize({ actorRoles: p.roles, action, targetRoles: before.roles });
      return change(s, before, now);
    });
    return user;
  }

  /** Validates a chosen password against length, strength and the last N passwords; returns its hash. */
  async #newPasswordHash(password: string, history: readonly string[], userInputs: readonly string[]): Promise<string> {
    checkPasswordShape(password, this.#d.strength.check(password, userInputs), this.#rules);
    for (const old of history.slice(0, this.#rules.historySize)) {
      if (await this.#d.hasher.verify(old, password)) {
        throw new DomainError(
          'PASSWORD_REUSED',
          `Choose a password you have not used before (the last ${this.#rules.historySize} are remembered).`,
          { details: { field: 'password' } },
        );
      }
    }
    return this.#d.hasher.hash(password);
  }
}

/** API tokens the user created (their actor label is their email) die with their sign-in. */
async function revokeTokensOf(s: Stores, email: string, now: Date): Promise<number> {
  const mine = (await s.tokens.list()).filter((t) => t.createdBy === email && t.revokedAt === null);
  for (const t of mine) await s.tokens.update({ ...t, revokedAt: now });
  return mine.length;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

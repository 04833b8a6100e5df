import type { Clock } from '../../ports/clock.js';
import type { Sha256 } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { UnitOfWork } from '../../ports/stores.js';
import type { Actor } from '../audit/audit-event.js';
import { recordAudit } from '../audit/record.js';
import { DomainError } from '../errors.js';
import { generateTemporaryPassword } from '../passwords/password-policy.js';
import { resolveUser } from './resolve-user.js';
import type { AppPassword } from './user.js';

/** At most this many app passwords per user: enough for every device, few enough to review. */
export const MAX_APP_PASSWORDS = 20;

/**
 * A user's named app passwords for mail clients: each secret is shown once (about 116 random bits,
 * so SHA-256 suffices), listed by name and last use, revocable. A password reset, a sign-in block
 * and "secure account" revoke them all.
 */
export class AppPasswords {
  readonly #uow: UnitOfWork;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #sha256: Sha256;

  constructor(uow: UnitOfWork, clock: Clock, random: Random, sha256: Sha256) {
    this.#uow = uow;
    this.#clock = clock;
    this.#random = random;
    this.#sha256 = sha256;
  }

  /**
   * Creates one; the secret is returned here only. `actor` is who the audit log names: the user
   * themselves by default, or an operator acting for them (the CLI).
   */
  async create(
    userId: string,
    name: string,
    actor?: Actor | undefined,
  ): Promise<{ appPassword: AppPassword; secret: string }> {
    const label = name.trim();
    if (label === '' || label.length > 64) {
      throw new DomainError('INVALID_INPUT', 'An app password needs a name of 1 to 64 characters.', {
        details: { field: 'name' },
      });
    }
    const secret = generateTemporaryPassword((n) => this.#random.bytes(n)).replaceAll('-', '');
    const now = this.#clock.now();
    return this.#uow.run(async (s) => {
      const user = await resolveUser(s.users, userId);
      const existing = await s.appPasswords.listByUser(user.id);
      if (existing.length >= MAX_APP_PASSWORDS) {
        throw new DomainError(
          'INVALID_INPUT',
          `You already have ${MAX_APP_PASSWORDS} app passwords; revoke one you no longer use first.`,
          { details: { field: 'name' } },
        );
      }
      if (existing.some((a) => a.name.toLowerCase() === label.toLowerCase())) {
        throw new DomainError('INVALID_INPUT', `You already have an app password named "${label}".`, {
          details: { field: 'name' },
        });
      }
      const appPassword: AppPassword = {
        id: this.#random.uuid(),
        userId: user.id,
        name: label,
        hash: this.#sha256(secret),
        createdAt: now,
        lastUsedAt: null,
      };
      await s.appPasswords.insert(appPassword);
      await recordAudit(
        s,
        now,
        actor ?? { kind: 'user', id: user.id, label: user.email },
        'app-password.created',
        `user:${user.email}`,
        undefined,
        { name: label },
      );
      return { appPassword, secret };
    });
  }

  /** The user's app passwords, without secrets. */
  list(userId: string): Promise<readonly AppPassword[]> {
    return this.#uow.run((s) => s.appPasswords.listByUser(userId));
  }

  /** Revokes one of the user's own app passwords; NOT_FOUND for an id that is not theirs. `actor` as in create. */
  async revoke(userId: string, id: string, actor?: Actor | undefined): Promise<void> {
    const now = this.#clock.now();
    await this.#uow.run(async (s) => {
      const user = await resolveUser(s.users, userId);
      const found = (await s.appPasswords.listByUser(user.id)).find((a) => a.id === id);
      if (!found) throw new DomainError('NOT_FOUND', 'There is no such app password.');
      await s.appPasswords.delete(id);
      await recordAudit(
        s,
        now,
        actor ?? { kind: 'user', id: user.id, label: user.email },
        'app-password.revoked',
        `user:${user.email}`,
        { name: found.name },
      );
    });
  }
}

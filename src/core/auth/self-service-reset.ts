import type { Clock } from '../../ports/clock.js';
import type { EmailComposer } from '../../ports/email-composer.js';
import type { Mailer } from '../../ports/mailer.js';
import type { Sha256 } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { SafeEqual } from '../../ports/safe-equal.js';
import type { UnitOfWork } from '../../ports/stores.js';
import type { Totp } from '../../ports/totp.js';
import { recordAudit } from '../audit/record.js';
import { constantTimeEqual } from './constant-time.js';
import type { Actor } from '../audit/audit-event.js';
import { parseAddress } from '../directory/address.js';
import { isAdmin, type User } from '../directory/user.js';
import { DomainError } from '../errors.js';
import type { ResetCode } from './credentials.js';

/** Self-service reset limits (published with the security defaults). */
export interface ResetRules {
  /** Digits of the emailed code (6 to 8). */
  readonly codeDigits: number;
  /** A code is valid this long (default 15 min). */
  readonly codeTtlMs: number;
  /** Wrong guesses allowed per code before it is spent (default 5). */
  readonly maxAttempts: number;
  /** Codes sent per user per sliding hour (default 3); more requests send nothing. */
  readonly maxCodesPerHour: number;
}

/** 8-digit codes valid 15 minutes, 5 wrong tries per code, at most 3 codes per user per hour. */
export const DEFAULT_RESET_RULES: ResetRules = Object.freeze({
  codeDigits: 8,
  codeTtlMs: 15 * 60_000,
  maxAttempts: 5,
  maxCodesPerHour: 3,
});

/** The ports SelfServiceReset needs, one by one; `rules` defaults to DEFAULT_RESET_RULES. */
export interface SelfServiceResetDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly random: Random;
  readonly sha256: Sha256;
  /** Constant-time compare; node:crypto timingSafeEqual in main.ts, the core's constantTimeEqual by default. */
  readonly safeEqual?: SafeEqual | undefined;
  readonly mailer: Mailer;
  /** Writes the code and the "password changed" notice in the user's language and time zone. */
  readonly composer: EmailComposer;
  readonly totp: Totp;
  /** DirectoryService.setPasswordBySelfService: validates the password, clears lockout, never lifts a restriction. */
  readonly directory: { setPasswordBySelfService(userId: string, next: string): Promise<User> };
  readonly rules?: ResetRules | undefined;
}

/** One sentence for every failed proof, so an attacker learns nothing about which part was wrong or whether the account exists. */
const INVALID = 'The code is not valid. Check the latest email, or request a new code.';

function selfActor(user: User, address: string | null): Actor {
  return { kind: 'user', id: user.id, label: user.email, ...(address ? { address } : {}) };
}

/**
 * Self-service password reset (SSPR): a code to the alternate email, single use, 15 minutes,
 * 5 attempts, 3 codes per hour; admins (any role) need the code AND a TOTP code. Unknown
 * addresses get exactly the same answers as known ones.
 */
export class SelfServiceReset {
  readonly #d: SelfServiceResetDeps;
  readonly #safeEqual: SafeEqual;
  readonly #rules: ResetRules;

  constructor(deps: SelfServiceResetDeps) {
    this.#d = deps;
    this.#safeEqual = deps.safeEqual ?? constantTimeEqual;
    this.#rules = deps.rules ?? DEFAULT_RESET_RULES;
  }

  /**
   * Sends a code to the alternate email when the address belongs to a user who has one and is
   * under the hourly cap; otherwise does nothing. Never says which (the edge answers 202 always).
   */
  async start(email: string, address: string | null): Promise<void> {
    const login = parseAddress(email);
    if (login === null) return;
    const now = this.#d.clock.now();
    const code = this.#newCode();
    const sent = await this.#d.uow.run(async (s) => {
      const user = await s.users.findByAddress(login);
      if (!user || user.alternateEmail === null) return null;
      if ((await s.resetCodes.countSince(user.id, new Date(now.getTime() - 3600_000))) >= this.#rules.maxCodesPerHour) {
        await recordAudit(
          s,
          now,
          selfActor(user, address),
          'user.reset-code-refused',
          `user:${user.email}`,
          undefined,
          { reason: 'hourly cap' },
        );
        return null;
      }
      const id = this.#d.random.uuid();
      const record: ResetCode = {
        id,
        userId: user.id,
        hash: this.#hash(id, code),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.#rules.codeTtlMs),
        attempts: 0,
        usedAt: null,
      };
      await s.resetCodes.insert(record);
      await recordAudit(s, now, selfActor(user, address), 'user.reset-code-sent', `user:${user.email}`, undefined, {
        to: 'alternate email',
      });
      return user;
    });
    if (sent === null || sent.alternateEmail === null) return;
    const minutes = Math.round(this.#rules.codeTtlMs / 60_000);
    const mail = await this.#d.composer.resetCode(sent, { account: sent.email, code, minutes });
    await this.#d.mailer.send({ to: [sent.alternateEmail], ...mail, secrets: [code] });
  }

  /**
   * Checks the code (and for admins the TOTP code), then sets the new password through the
   * directory. A wrong proof spends one attempt; a too-weak password leaves the code usable.
   */
  async complete(
    input: { email: string; code?: string | undefined; totp?: string | undefined; newPassword: string },
    address: string | null,
  ): Promise<void> {
    const login = parseAddress(input.email);
    const now = this.#d.clock.now();
    const found =
      login === null
        ? undefined
        : await this.#d.uow.run(async (s) => {
            const user = await s.users.findByAddress(login);
            const code = user ? await s.resetCodes.findLatestUnused(user.id) : undefined;
            return user && code ? { user, code } : undefined;
          });
    if (!found || input.code === undefined) throw new DomainError('RESET_CODE_INVALID', INVALID);
    const { user, code } = found;
    if (code.expiresAt.getTime() <= now.getTime()) throw new DomainError('RESET_CODE_INVALID', INVALID);
    if (code.attempts >= this.#rules.maxAttempts) {
      throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong attempts for this code. Request a new code.');
    }
    if (!this.#safeEqual(code.hash, this.#hash(code.id, input.code))) {
      await this.#spendAttempt(code, user, address, 'wrong code');
      throw new DomainError('RESET_CODE_INVALID', INVALID);
    }
    // Admins prove a second factor too; asked only after a right code, so this reveals nothing to a guesser.
    let totpStep: number | null = null;
    if (isAdmin(user)) {
      if (user.totpSecret === null) {
        throw new DomainError(
          'FORBIDDEN',
          'Admins without an authenticator app cannot reset their password themselves. Ask another admin.',
          {
            details: { permission: 'self-service.reset' },
          },
        );
      }
      if (input.totp === undefined)
        throw new DomainError('TOTP_REQUIRED', 'Enter the code from your authenticator app as well.', {
          details: { field: 'totp' },
        });
      totpStep = this.#d.totp.verify(user.totpSecret, input.totp, now);
      if (totpStep === null || (user.totpLastStep ?? -1) >= totpStep) {
        await this.#spendAttempt(code, user, address, 'wrong authenticator code');
        throw new DomainError('TOTP_INVALID', 'The authenticator code is not right.', { details: { field: 'totp' } });
      }
    }
    // Claim the code first so two parallel requests cannot both use it; give it back if the password is refused.
    const claimed = await this.#d.uow.run(async (s) => {
      const latest = await s.resetCodes.findLatestUnused(user.id);
      if (!latest || latest.id !== code.id) return false;
      await s.resetCodes.update({ ...latest, usedAt: now });
      if (totpStep !== null) {
        const fresh = await s.users.findById(user.id);
        if (fresh) await s.users.update({ ...fresh, totpLastStep: totpStep });
      }
      return true;
    });
    if (!claimed) throw new DomainError('RESET_CODE_INVALID', INVALID);
    try {
      await this.#d.directory.setPasswordBySelfService(user.id, input.newPassword);
    } catch (err) {
      await this.#d.uow.run((s) => s.resetCodes.update({ ...code, usedAt: null }));
      throw err;
    }
    const notice = await this.#d.composer.passwordChanged(user, { account: user.email, at: now });
    await this.#d.mailer.send({ to: [user.email, ...(user.alternateEmail ? [user.alternateEmail] : [])], ...notice });
  }

  async #spendAttempt(code: ResetCode, user: User, address: string | null, reason: string): Promise<void> {
    const now = this.#d.clock.now();
    await this.#d.uow.run(async (s) => {
      const latest = await s.resetCodes.findLatestUnused(code.userId);
      const current = latest?.id === code.id ? latest : code;
      await s.resetCodes.update({ ...current, attempts: current.attempts + 1 });
      await recordAudit(s, now, selfActor(user, address), 'user.reset-code-failed', `user:${user.email}`, undefined, {
        reason,
        attempts: code.attempts + 1,
      });
    });
  }

  #hash(id: string, code: string): string {
    return this.#d.sha256(`reset-code\n${id}\n${code}`);
  }

  /** A uniformly random code of `codeDigits` digits (rejection sampling: no modulo bias). */
  #newCode(): string {
    const digits = Math.min(8, Math.max(6, this.#rules.codeDigits));
    const range = 10 ** digits;
    const limit = Math.floor(0x1_0000_0000 / range) * range;
    for (;;) {
      const b = this.#d.random.bytes(4);
      const n = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
      if (n < limit) return String(n % range).padStart(digits, '0');
    }
  }
}

import type { Clock } from '../../ports/clock.js';
import type { Sha256 } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { SafeEqual } from '../../ports/safe-equal.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { constantTimeEqual } from './constant-time.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize, type Role } from '../roles/roles.js';
import type { ApiToken } from './credentials.js';
import { toHex } from './totp.js';

/** The ports TokenService needs: tokens are stored as a SHA-256 of their secret, compared in constant time. */
export interface TokenDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly random: Random;
  readonly sha256: Sha256;
  /** Constant-time compare; node:crypto timingSafeEqual in main.ts, the core's constantTimeEqual by default. */
  readonly safeEqual?: SafeEqual | undefined;
}

const DAY_MS = 24 * 3600_000;
// Bearer format: sw_<24 hex id>_<64 hex secret>. Hex keeps "_" unambiguous as the separator.
const TOKEN_FORMAT = /^sw_([0-9a-f]{24})_([0-9a-f]{64})$/;
const INVALID = 'The API token is not valid: it is unknown, revoked or expired.';

/**
 * API tokens: one role each, shown once, stored as SHA-256 of the secret part, compared in
 * constant time, revocable, optionally expiring. Creating needs "tokens.create", revoking
 * "tokens.revoke"; both are audited.
 */
export class TokenService {
  readonly #d: TokenDeps;
  readonly #safeEqual: SafeEqual;

  constructor(deps: TokenDeps) {
    this.#d = deps;
    this.#safeEqual = deps.safeEqual ?? constantTimeEqual;
  }

  /** A new token; `secret` is the full bearer value "sw_<id>_<secret>", returned here only. */
  async create(
    p: Principal,
    input: { role: Role; name?: string | undefined; expiresInDays?: number | undefined },
  ): Promise<{ token: ApiToken; secret: string }> {
    authorize({ actorRoles: p.roles, action: 'tokens.create' });
    const name = (input.name ?? `${input.role} token`).trim();
    if (name === '' || name.length > 100)
      throw new DomainError('INVALID_INPUT', 'A token name has 1 to 100 characters.', { details: { field: 'name' } });
    if (
      input.expiresInDays !== undefined &&
      (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > 3650)
    ) {
      throw new DomainError('INVALID_INPUT', 'expiresInDays must be a whole number from 1 to 3650.', {
        details: { field: 'expiresInDays' },
      });
    }
    const now = this.#d.clock.now();
    const id = toHex(this.#d.random.bytes(12));
    const secretPart = toHex(this.#d.random.bytes(32));
    const token: ApiToken = {
      id,
      name,
      role: input.role,
      hash: this.#d.sha256(secretPart),
      createdAt: now,
      expiresAt: input.expiresInDays === undefined ? null : new Date(now.getTime() + input.expiresInDays * DAY_MS),
      revokedAt: null,
      lastUsedAt: null,
      createdBy: p.actor.label,
    };
    await this.#d.uow.run(async (s) => {
      await s.tokens.insert(token);
      await recordAudit(s, now, p.actor, 'token.created', `token:${id}`, undefined, {
        name,
        role: token.role,
        expiresAt: token.expiresAt?.toISOString() ?? null,
      });
    });
    return { token, secret: `sw_${id}_${secretPart}` };
  }

  /** The Principal of a bearer value, or TOKEN_INVALID (one message for every reason: nothing to probe). */
  async verify(bearer: string, address: string | null): Promise<Principal> {
    const match = TOKEN_FORMAT.exec(bearer);
    if (!match) throw new DomainError('TOKEN_INVALID', INVALID);
    const [, id, secretPart] = match as unknown as [string, string, string];
    const hash = this.#d.sha256(secretPart);
    const now = this.#d.clock.now();
    const token = await this.#d.uow.run(async (s) => {
      const found = await s.tokens.findById(id);
      if (!found || !this.#safeEqual(found.hash, hash)) return undefined;
      if (found.revokedAt !== null || (found.expiresAt !== null && found.expiresAt.getTime() <= now.getTime()))
        return undefined;
      // Hourly resolution is enough for "last used" and keeps reads from becoming writes.
      if (found.lastUsedAt === null || now.getTime() - found.lastUsedAt.getTime() > 3600_000)
        await s.tokens.update({ ...found, lastUsedAt: now });
      return found;
    });
    if (!token) throw new DomainError('TOKEN_INVALID', INVALID);
    return {
      actor: { kind: 'token', id: token.id, label: `token:${token.name}`, ...(address ? { address } : {}) },
      roles: [token.role],
      userId: null,
    };
  }

  /** Every token, without hashes' use to anyone: callers map them to DTOs. Needs "tokens.create". */
  async list(p: Principal): Promise<readonly ApiToken[]> {
    authorize({ actorRoles: p.roles, action: 'tokens.create' });
    return this.#d.uow.run((s) => s.tokens.list());
  }

  /** Revokes at once; a revoked token fails its very next request. */
  async revoke(p: Principal, id: string): Promise<ApiToken> {
    authorize({ actorRoles: p.roles, action: 'tokens.revoke' });
    const now = this.#d.clock.now();
    return this.#d.uow.run(async (s) => {
      const token = await s.tokens.findById(id);
      if (!token) throw new DomainError('NOT_FOUND', `There is no API token "${id}".`);
      if (token.revokedAt !== null) return token;
      const revoked: ApiToken = { ...token, revokedAt: now };
      await s.tokens.update(revoked);
      await recordAudit(s, now, p.actor, 'token.revoked', `token:${id}`, undefined, {
        name: token.name,
        role: token.role,
      });
      return revoked;
    });
  }
}

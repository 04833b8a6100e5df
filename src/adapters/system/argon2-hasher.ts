import { createHmac } from 'node:crypto';
import type * as Argon2Module from 'argon2';
import type { PasswordHasher } from '../../ports/password-hasher.js';

type Argon2 = typeof Argon2Module;

/** The cost of one argon2id hash: memory in KiB and the number of passes. */
export interface Argon2Cost {
  readonly memoryCost: number;
  readonly timeCost: number;
}

/** OWASP's argon2id minimum (m=19 MiB, t=2, p=1); Dovecot's ARGON2ID scheme reads the PHC string as is. */
export const ARGON2_PRODUCTION_COST: Argon2Cost = { memoryCost: 19_456, timeCost: 2 };

// The native addon loads on first use: a CLI command that hashes nothing never pays for it.
let loaded: Promise<Argon2> | undefined;
const argon2 = (): Promise<Argon2> =>
  (loaded ??= import('argon2').then((m) => (m as unknown as { default: Argon2 }).default));

/** argon2id PHC hashes, and HMAC-SHA-256 fingerprints keyed with the server secret. */
export class Argon2Hasher implements PasswordHasher {
  readonly #secret: Buffer;
  readonly #options: Argon2Module.HashOptions;
  #dummy: Promise<string> | undefined;

  /** `cost` is for tests only (a cheaper hash); production always uses ARGON2_PRODUCTION_COST. */
  constructor(secret: Buffer, cost: Argon2Cost = ARGON2_PRODUCTION_COST) {
    this.#secret = secret;
    this.#options = { type: 2 /* argon2id */, memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: 1 };
  }

  async hash(password: string): Promise<string> {
    return canonicalPhc(await (await argon2()).hash(password, this.#options));
  }

  async verify(phc: string, password: string): Promise<boolean> {
    const a = await argon2();
    if (phc === '') {
      this.#dummy ??= a.hash('sendwarden-dummy-password', this.#options);
      await a.verify(await this.#dummy, password);
      return false;
    }
    try {
      return await a.verify(phc, password);
    } catch {
      return false;
    }
  }

  fingerprint(userId: string, password: string): string {
    return createHmac('sha256', this.#secret).update(userId).update('\0').update(password).digest('hex').slice(0, 32);
  }
}

/**
 * The argon2 package writes parameters in its own order (m, p, t); libargon2 and libsodium, which
 * Dovecot's ARGON2ID scheme uses, parse exactly "m=...,t=...,p=...". Reorder so the mail server can
 * verify the same hash.
 */
export function canonicalPhc(phc: string): string {
  const parts = phc.split('$');
  const params = parts[3];
  if (parts.length !== 6 || params === undefined) return phc;
  const map = new Map(params.split(',').map((kv) => kv.split('=') as [string, string]));
  const ordered = ['m', 't', 'p'].map((k) => `${k}=${map.get(k) ?? ''}`);
  if (map.size !== 3 || ordered.some((x) => x.endsWith('='))) return phc;
  parts[3] = ordered.join(',');
  return parts.join('$');
}

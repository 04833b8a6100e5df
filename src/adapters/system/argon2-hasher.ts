import { createHmac } from 'node:crypto';
import argon2 from 'argon2';
import type { PasswordHasher } from '../../ports/password-hasher.js';

/** OWASP's argon2id minimum (m=19 MiB, t=2, p=1); Dovecot's ARGON2ID scheme reads the PHC string as is. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id PHC hashes, and HMAC-SHA-256 fingerprints keyed with the server secret. */
export class Argon2Hasher implements PasswordHasher {
  readonly #secret: Buffer;
  #dummy: Promise<string> | undefined;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  async verify(phc: string, password: string): Promise<boolean> {
    if (phc === '') {
      this.#dummy ??= argon2.hash('sendwarden-dummy-password', OPTIONS);
      await argon2.verify(await this.#dummy, password);
      return false;
    }
    try {
      return await argon2.verify(phc, password);
    } catch {
      return false;
    }
  }

  fingerprint(userId: string, password: string): string {
    return createHmac('sha256', this.#secret).update(userId).update('\0').update(password).digest('hex').slice(0, 32);
  }
}

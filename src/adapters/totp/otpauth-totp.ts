import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as OtpauthModule from 'otpauth';
import type { Secret as SecretType } from 'otpauth';
import type { Totp } from '../../ports/totp.js';

// otpauth loads at first use (its CommonJS build, as the port is synchronous): most CLI commands never need it.
type Otpauth = typeof OtpauthModule;
let otpauth: Otpauth | undefined;
const lib = (): Otpauth => (otpauth ??= createRequire(import.meta.url)('otpauth') as Otpauth);

const ISSUER = 'Sendwarden';
const PERIOD = 30;
const DIGITS = 6;

/** RFC 6238 TOTP through otpauth 9; derived secrets are HMAC-SHA-256(serverKey, seed) cut to 160 bits. */
export class OtpauthTotp implements Totp {
  readonly #key: Uint8Array;

  /** `serverKey`: at least 32 random bytes kept with the server's other secrets. */
  constructor(serverKey: Uint8Array) {
    if (serverKey.length < 32) throw new Error('The TOTP server key must have at least 32 bytes.');
    this.#key = serverKey;
  }

  generateSecret(): string {
    return new (lib().Secret)({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
  }

  deriveSecret(seed: string): string {
    const mac = createHmac('sha256', this.#key).update(`totp-enrolment\n${seed}`).digest();
    return new (lib().Secret)({ buffer: new Uint8Array(mac.subarray(0, 20)).buffer }).base32;
  }

  verify(secret: string, code: string, at: Date): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    let parsed: SecretType;
    try {
      parsed = lib().Secret.fromBase32(secret);
    } catch {
      return null;
    }
    const delta = lib().TOTP.validate({
      token: code,
      secret: parsed,
      digits: DIGITS,
      period: PERIOD,
      timestamp: at.getTime(),
      window: 1,
    });
    return delta === null ? null : Math.floor(at.getTime() / 1000 / PERIOD) + delta;
  }

  keyUri(secret: string, account: string): string {
    return new (lib().TOTP)({
      issuer: ISSUER,
      label: account,
      secret: lib().Secret.fromBase32(secret),
      digits: DIGITS,
      period: PERIOD,
    }).toString();
  }

  /** The current code for a secret; for tests and the demo, never sent anywhere. */
  static codeAt(secret: string, at: Date): string {
    return lib().TOTP.generate({
      secret: lib().Secret.fromBase32(secret),
      digits: DIGITS,
      period: PERIOD,
      timestamp: at.getTime(),
    });
  }
}

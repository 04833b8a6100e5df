import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a key derived from the server secret is for; each purpose gets its own key. */
export type KeyPurpose =
  | 'password-fingerprint'
  | 'csrf'
  | 'totp'
  | 'reset-code'
  | 'audit'
  | 'audit-checkpoint'
  | 'evidence'
  | 'credential-cache';

/** One key per purpose, derived from the server secret (HMAC-SHA-256), so no key serves two jobs. */
export function deriveKey(secret: Buffer, purpose: KeyPurpose): Buffer {
  return createHmac('sha256', secret).update(`sendwarden:${purpose}`).digest();
}

/** HMAC-SHA-256 hex of a text with a key: the keyed hash of short secrets such as reset codes. */
export function keyedHash(key: Buffer): (text: string) => string {
  return (text) => createHmac('sha256', key).update(text).digest('hex');
}

/** Constant-time comparison of two texts (a length difference returns false at once). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

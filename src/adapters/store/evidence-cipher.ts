import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../core/errors.js';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * AES-256-GCM for kept evidence: `version | nonce (12, random per message) | tag (16) | ciphertext`.
 * The associated data binds a sealed value to its row (message id, user, field), so a value moved
 * to another row fails like a changed one. `open` throws EVIDENCE_UNREADABLE, never returns garbage.
 */
export class EvidenceCipher {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength !== KEY_BYTES) throw new Error(`The evidence key must be ${KEY_BYTES} bytes.`);
    this.#key = Buffer.from(key);
  }

  seal(plain: Uint8Array, aad: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Uint8Array, aad: string): Buffer {
    const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (b.length < 1 + NONCE_BYTES + TAG_BYTES || b[0] !== VERSION) throw unreadable(aad, 'it is not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, b.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(b.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(b.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw unreadable(aad, 'it was changed, or SENDWARDEN_SECRET is not the one it was kept with');
    }
  }
}

function unreadable(aad: string, why: string): DomainError {
  return new DomainError('EVIDENCE_UNREADABLE', `The kept evidence (${aad}) cannot be read: ${why}.`);
}

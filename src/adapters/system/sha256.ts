import { createHash } from 'node:crypto';

/** SHA-256 hex of a UTF-8 text. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

import { DomainError } from '../errors.js';

/** Password rules: published, the same for admin resets, self-service and changes. */
export interface PasswordRules {
  /** Minimum length in characters. */
  readonly minLength: number;
  /** Minimum zxcvbn score (0-4). */
  readonly minScore: number;
  /** The new password may not equal any of this many previous passwords. */
  readonly historySize: number;
}

/** At least 12 characters, strength score 3 of 4, none of the last 5 passwords. */
export const DEFAULT_PASSWORD_RULES: PasswordRules = Object.freeze({ minLength: 12, minScore: 3, historySize: 5 });

/** Length and strength of a proposed password; history is checked by the caller (it needs the hasher). */
export function checkPasswordShape(
  password: string,
  strength: { score: number; warning: string | null },
  rules: PasswordRules = DEFAULT_PASSWORD_RULES,
): void {
  if ([...password].length < rules.minLength) {
    throw new DomainError('WEAK_PASSWORD', `The password must have at least ${rules.minLength} characters.`, {
      details: { field: 'password', minLength: rules.minLength },
    });
  }
  if (password.length > 256) {
    throw new DomainError('WEAK_PASSWORD', 'The password may have at most 256 characters.', {
      details: { field: 'password' },
    });
  }
  if (strength.score < rules.minScore) {
    const hint = strength.warning ? ` ${strength.warning}` : '';
    throw new DomainError(
      'WEAK_PASSWORD',
      `The password is too easy to guess.${hint} Use a longer phrase of unrelated words.`,
      {
        details: { field: 'password', score: strength.score, minScore: rules.minScore },
      },
    );
  }
}

// No look-alikes (0/O, 1/l/I) so a helpdesk can read it out over the phone.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A strong temporary password from random bytes: 4 groups of 5 characters joined by '-',
 * about 116 bits. Rejection sampling keeps every character equally likely.
 */
export function generateTemporaryPassword(randomBytes: (n: number) => Uint8Array): string {
  const chars: string[] = [];
  const limit = 256 - (256 % ALPHABET.length);
  while (chars.length < 20) {
    for (const b of randomBytes(32)) {
      if (b < limit && chars.length < 20) chars.push(ALPHABET[b % ALPHABET.length]!);
    }
  }
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

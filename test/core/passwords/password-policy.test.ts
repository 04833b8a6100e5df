import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../../src/core/errors.js';
import { checkPasswordShape, generateTemporaryPassword } from '../../../src/core/passwords/password-policy.js';
import { randomBytes } from 'node:crypto';

describe('password policy', () => {
  it('refuses short passwords with a sentence naming the minimum', () => {
    try {
      checkPasswordShape('short', { score: 4, warning: null });
      expect.unreachable();
    } catch (err) {
      expect(isDomainError(err, 'WEAK_PASSWORD')).toBe(true);
      expect((err as Error).message).toContain('12');
    }
  });

  it('refuses guessable passwords and passes on the hint', () => {
    expect(() => checkPasswordShape('Password1234', { score: 1, warning: 'This is a very common password.' })).toThrow(
      /very common password/,
    );
  });

  it('accepts a long, strong password', () => {
    expect(() => checkPasswordShape('correct horse battery staple', { score: 4, warning: null })).not.toThrow();
  });

  it('temporary passwords are 4 groups of 5 readable characters and differ every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generateTemporaryPassword((n) => randomBytes(n));
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{5}(-[A-HJ-NP-Za-km-z2-9]{5}){3}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });

  it('uses every byte value fairly (rejection sampling): a constant source still terminates only with valid bytes', () => {
    let calls = 0;
    const p = generateTemporaryPassword((n) => {
      calls++;
      return new Uint8Array(n).fill(calls === 1 ? 255 : 0); // 255 is rejected, 0 maps to 'A'
    });
    expect(p).toBe('AAAAA-AAAAA-AAAAA-AAAAA');
  });
});

/** collapseWhitespace against the `\s+` -> ' ' it replaces, on generated text. Fakes: none (pure). */
import { describe, expect, it } from 'vitest';
import { collapseWhitespace } from '../../../src/core/policy/whitespace.js';
import { prng } from '../../support/prng.js';

// Every character JavaScript's \s matches, some that it does not, and words.
const SPACES = [
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
];
const OTHERS = ['a', 'word', 'é', '\u200b', '\u0085', '😀', '.', ''];

describe('collapseWhitespace', () => {
  it('covers every \\s character and none of the others', () => {
    for (const s of SPACES) expect(/^\s$/.test(s)).toBe(true);
    for (const s of OTHERS) expect(/\s/.test(s)).toBe(false);
  });

  it('gives what replace(/\\s+/g, " ") gives on 20,000 generated strings', () => {
    const rnd = prng(14);
    let changed = 0;
    for (let i = 0; i < 20_000; i++) {
      const parts: string[] = [];
      for (let j = Math.floor(rnd() * 30); j > 0; j--) {
        const pool = rnd() < 0.5 ? SPACES : OTHERS;
        parts.push(pool[Math.floor(rnd() * pool.length)] ?? '');
      }
      const text = parts.join('');
      const expected = text.replace(/\s+/g, ' ');
      expect(collapseWhitespace(text), JSON.stringify(text)).toBe(expected);
      if (expected !== text) changed += 1;
    }
    expect(changed).toBeGreaterThan(10_000);
  });

  it('keeps lone spaces and turns runs and other whitespace into one space', () => {
    expect(collapseWhitespace('a b')).toBe('a b');
    expect(collapseWhitespace(' a\r\n\r\nb\t c ')).toBe(' a b c ');
    expect(collapseWhitespace('')).toBe('');
  });
});

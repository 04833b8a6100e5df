/**
 * parseAddress has a path of its own for printable ASCII (nearly every address, and about four a
 * Postfix policy request). It must say exactly what the general path said before it existed:
 * that code is copied here and both run on generated addresses, good and bad. If this fails, an
 * address is accepted, refused or spelled differently depending on which path it took.
 */
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/core/directory/address.js';
import { toALabels } from '../../../src/core/directory/punycode.js';
import { prng } from '../../support/prng.js';

// The implementation before the ASCII path (src/core/directory/address.ts, 2026-12-03), unchanged.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~\p{L}\p{M}\p{N}-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~\p{L}\p{M}\p{N}-]+)*$/u;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
function utf8Length(text: string): number {
  let n = 0;
  for (const c of text) {
    const cp = c.codePointAt(0) as number;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}
function previousParseAddress(input: string): string | null {
  const trimmed = input.trim();
  const isAscii = !/[^\x20-\x7e]/.test(trimmed);
  const value = (isAscii ? trimmed : trimmed.normalize('NFC')).toLowerCase();
  if (utf8Length(value) > 254) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || utf8Length(value.slice(0, at)) > 64) return null;
  const local = value.slice(0, at);
  let domain: string;
  try {
    domain = isAscii ? value.slice(at + 1) : toALabels(value.slice(at + 1));
  } catch {
    return null;
  }
  return LOCAL.test(local) && DOMAIN.test(domain) ? `${local}@${domain}` : null;
}

/** Every printable ASCII character, weighted towards what addresses are made of. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const COMMON = 'abcxyzABCXYZ0129.-_+@';
const OTHER = ['\t', '\n', '\r', '\u00a0', 'é', 'e\u0301', 'ß', 'ü', '\u0000', '\u200b', 'Ⅻ', '٣'];

function randomAddress(random: () => number): string {
  const pick = (s: string) => s[Math.floor(random() * s.length)] as string;
  const part = (n: number) =>
    Array.from({ length: n }, () => (random() < 0.8 ? pick(COMMON) : pick(PRINTABLE))).join('');
  const roll = random();
  let text: string;
  if (roll < 0.5)
    text = `${part(1 + Math.floor(random() * 12))}@${part(1 + Math.floor(random() * 10))}.${part(2 + Math.floor(random() * 4))}`;
  else if (roll < 0.6) text = `${part(60 + Math.floor(random() * 8))}@contoso.example`;
  else if (roll < 0.7)
    text = `rob@${'a'.repeat(60 + Math.floor(random() * 8))}.${part(1)}${'b'.repeat(180 + Math.floor(random() * 20))}.com`;
  else if (roll < 0.8) text = part(1 + Math.floor(random() * 30));
  else text = `${part(1 + Math.floor(random() * 8))}@${part(1 + Math.floor(random() * 8))}.example`;
  // Surrounding whitespace, and now and then a character outside printable ASCII (the other path).
  if (random() < 0.2) text = ` ${text}  `;
  if (random() < 0.1)
    text =
      text.slice(0, Math.floor(random() * text.length)) + OTHER[Math.floor(random() * OTHER.length)] + text.slice(1);
  return text;
}

describe('parseAddress on printable ASCII', () => {
  it('says what the general path said, on 100,000 generated addresses', () => {
    const random = prng(20261203);
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = randomAddress(random);
      const got = parseAddress(text);
      expect(got, JSON.stringify(text)).toBe(previousParseAddress(text));
      if (got !== null) accepted += 1;
    }
    // Both outcomes are well represented, so the comparison covers each.
    expect(accepted).toBeGreaterThan(5_000);
    expect(accepted).toBeLessThan(90_000);
  });

  it('at the length limits: 64 octets of local part, 254 of address', () => {
    const local64 = 'a'.repeat(64);
    expect(parseAddress(`${local64}@contoso.example`)).toBe(`${local64}@contoso.example`);
    expect(parseAddress(`${local64}b@contoso.example`)).toBeNull();
    // 252 octets of domain: with `r@` the address is 254 octets (the most), with `ro@` 255.
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(56)}.com`;
    expect(domain).toHaveLength(252);
    expect(parseAddress(`r@${domain}`)).toBe(`r@${domain}`);
    expect(parseAddress(`ro@${domain}`)).toBeNull();
    expect(previousParseAddress(`r@${domain}`)).toBe(`r@${domain}`);
    expect(previousParseAddress(`ro@${domain}`)).toBeNull();
  });
});

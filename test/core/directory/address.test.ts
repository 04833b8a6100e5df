import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/core/directory/address.js';
import { matchesSearch } from '../../../src/core/directory/search.js';
import { validateImportRows } from '../../../src/core/directory/user-import.js';

describe('addresses and search', () => {
  it('normalises case and whitespace, refuses what is not local@domain.tld', () => {
    expect(parseAddress('  Rob@Contoso.COM ')).toBe('rob@contoso.com');
    for (const bad of [
      'rob',
      'rob@',
      '@contoso.com',
      'rob@contoso',
      'rob..x@contoso.com',
      'rob@-contoso.com',
      'r b@contoso.com',
      'rob@contoso.com\u0000',
      '"rob"@contoso.com',
      'rob@contoso.com\r\nRCPT TO:<x@y.z>',
      'a'.repeat(65) + '@contoso.com',
    ]) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('takes UTF-8 local parts in NFC and compares IDN domains in their A-label form (RFC 6531)', () => {
    expect(parseAddress('Jose\u0301@Fabrikam.com')).toBe('josé@fabrikam.com');
    expect(parseAddress('rob@Bücher.example')).toBe('rob@xn--bcher-kva.example');
    expect(parseAddress('rob@xn--bcher-kva.example')).toBe('rob@xn--bcher-kva.example');
    // A lookalike stays a different domain.
    expect(parseAddress('rob@cοntoso.com')).not.toBe('rob@contoso.com');
    expect(parseAddress('rob@xn--contso-5ya.com')).not.toBe('rob@contoso.com');
  });

  it('"rob" finds rob@contoso.com by address, name or alias', () => {
    const rob = { email: 'rob@contoso.com', displayName: 'Rob Young', aliases: ['robert@contoso.com'] };
    expect(matchesSearch(rob, 'rob')).toBe(true);
    expect(matchesSearch(rob, 'YOUNG')).toBe(true);
    expect(matchesSearch(rob, 'robert@')).toBe(true);
    expect(matchesSearch(rob, 'megan')).toBe(false);
  });

  it('an import reports every bad row with its line and keeps the good ones', () => {
    const { valid, rejected } = validateImportRows([
      { line: 2, email: 'rob@contoso.com', displayName: 'Rob Young' },
      { line: 3, email: 'not-an-address', displayName: 'X' },
      { line: 4, email: 'megan@contoso.com', displayName: '' },
      { line: 5, email: 'ROB@contoso.com', displayName: 'Rob Again' },
      { line: 6, email: 'alex@contoso.com', displayName: 'Alex', aliases: ['rob@contoso.com'] },
      {
        line: 7,
        email: 'adele@contoso.com',
        displayName: 'Adele Vance',
        aliases: ['av@contoso.com'],
        alternateEmail: 'adele@example.net',
      },
    ]);
    expect(valid.map((v) => v.line)).toEqual([2, 7]);
    expect(rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'INVALID_EMAIL'],
      [4, 'INVALID_INPUT'],
      [5, 'USER_EXISTS'],
      [6, 'USER_EXISTS'],
    ]);
    expect(rejected.find((r) => r.line === 5)?.reason).toContain('line 2');
  });
});

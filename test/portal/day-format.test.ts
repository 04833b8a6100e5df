/**
 * The portal's date fields read and write a day in the portal language's order, whatever the
 * browser's locale. If this failed, a Romanian admin typing 03.12.2026 into the Audit log's filter
 * would get March 12th, or an error, or the field would show 12/03/2026.
 * No fakes: the real Intl data of this Node, the same CLDR source Chromium uses.
 */
import { describe, expect, it } from 'vitest';
import { dayPattern, formatDay, parseDay } from '../../src/adapters/portal/app/components/day-format.js';
import { LANGUAGES } from '../../src/adapters/portal/app/i18n/i18n.js';

const WRITTEN: Record<(typeof LANGUAGES)[number], string> = {
  en: '12/03/2026',
  nl: '03-12-2026',
  nb: '03.12.2026',
  ro: '03.12.2026',
  fr: '03/12/2026',
};

describe('dates in the portal language', () => {
  it.each(LANGUAGES)('%s writes 3 December 2026 in its own order and reads it back', (lng) => {
    const pattern = dayPattern(lng);
    expect(formatDay('2026-12-03', pattern)).toBe(WRITTEN[lng]);
    expect(parseDay(WRITTEN[lng], pattern)).toBe('2026-12-03');
  });

  it('reads Romanian day first, with one-digit parts and other separators', () => {
    const ro = dayPattern('ro');
    expect(parseDay('3.12.2026', ro)).toBe('2026-12-03');
    expect(parseDay(' 03/12/2026 ', ro)).toBe('2026-12-03');
    expect(parseDay('25.11.2026', ro)).toBe('2026-11-25');
    expect(parseDay('2026-11-25', ro)).toBe('2026-11-25');
  });

  it('reads English month first', () => {
    expect(parseDay('11/25/2026', dayPattern('en'))).toBe('2026-11-25');
    expect(parseDay('25/11/2026', dayPattern('en'))).toBeNull();
  });

  it('refuses what is not a day instead of guessing: a month 13, 31 February, a two-digit year, words', () => {
    const ro = dayPattern('ro');
    for (const text of ['12.13.2026', '31.02.2026', '29.02.2027', '03.12.26', '3 decembrie 2026', '03.12', '1.2.3.4'])
      expect(parseDay(text, ro), text).toBeNull();
    expect(parseDay('29.02.2028', ro)).toBe('2028-02-29');
  });

  it('keeps an empty field empty (no filter), in both directions', () => {
    expect(parseDay('  ', dayPattern('nl'))).toBe('');
    expect(formatDay('', dayPattern('nl'))).toBe('');
  });
});

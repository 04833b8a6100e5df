/**
 * The email composer on the portal's real catalogues (issue 16): every language renders each email
 * with its own words, no ISO time, times in the reader's zone, the portal link in text and HTML, and
 * user content escaped in the HTML. Also the outbox masking of a reset code (core maskSecrets).
 *
 * Fakes: none (real catalogues, real intl-messageformat, real MailComposer MIME).
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { createEmailComposer } from '../../src/composition/email-wiring.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import { LANGUAGES, validateLanguage, validateTimeZone } from '../../src/core/directory/locale.js';
import { maskSecrets } from '../../src/core/messages/message-reader.js';

const composer = createEmailComposer({ language: 'en', timeZone: 'UTC', publicUrl: 'https://portal.example.test/' });
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const AT = new Date('2026-12-01T21:13:18.184Z');

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  type: 'account-locked',
  severity: 'medium',
  title: 'Account locked out',
  userId: 'u1',
  userEmail: 'rob@contoso.com',
  summary: 'rob@contoso.com was locked out after 10 failed sign-ins until 2026-12-01T21:13:18.184Z.',
  details: { lockedUntil: AT.toISOString(), channel: 'portal' },
  createdAt: AT,
  resolvedAt: null,
  resolvedBy: null,
  ...over,
});

describe('email composer', () => {
  const subjects = new Set<string>();
  for (const language of LANGUAGES) {
    it(`writes the reset code, the change notice and an alert in ${language}`, async () => {
      const reader = { language, timeZone: 'Europe/Amsterdam' };
      const reset = await composer.resetCode(reader, { account: 'rob@contoso.com', code: '01234567', minutes: 15 });
      subjects.add(reset.subject);
      expect(reset.text).toContain('01234567');
      expect(reset.text).toContain('https://portal.example.test/forgot-password?email=rob%40contoso.com');
      expect(reset.html).toContain('href="https://portal.example.test/forgot-password?email=rob%40contoso.com"');
      expect(reset.html).toContain(`<html lang="${language}">`);
      expect(reset.text).toContain('15');

      const changed = await composer.passwordChanged(reader, { account: 'rob@contoso.com', at: AT });
      expect(changed.text).not.toMatch(ISO);
      // 21:13 UTC is 22:13 in Amsterdam in December.
      expect(changed.text).toMatch(language === 'en' ? /10:13\s?PM/ : /22[:.]13/);
      expect(changed.text).toContain('https://portal.example.test/sign-in');

      const locked = await composer.alert(reader, alert());
      expect(locked.text).not.toMatch(ISO);
      expect(locked.html).not.toMatch(ISO);
      expect(locked.text).toMatch(language === 'en' ? /10:13\s?PM/ : /22[:.]13/);
      expect(locked.text).toContain('rob@contoso.com');
      expect(locked.text).toContain('https://portal.example.test/alerts?status=all');
    });
  }

  it('gives each language its own words', () => {
    expect(subjects.size).toBe(LANGUAGES.length);
  });

  it('keeps the figures in every language and links a restricted user to Restricted users', async () => {
    const restricted = alert({
      type: 'user-restricted',
      details: { rule: 'external-per-hour', counts: { 'external-per-hour': 612 }, limit: 500 },
    });
    for (const language of LANGUAGES) {
      const mail = await composer.alert({ language }, restricted);
      expect(mail.text, language).toMatch(/612/);
      expect(mail.text, language).toMatch(/500/);
      expect(mail.text).toContain(
        'https://portal.example.test/review/restricted-users?search=rob%40contoso.com&user=u1',
      );
    }
  });

  it('uses the organisation default for a reader with no choice, and escapes user content in HTML', async () => {
    const fr = createEmailComposer({ language: 'fr', timeZone: 'America/New_York', publicUrl: 'https://p.test' });
    const mail = await fr.alert(
      { language: null, timeZone: null },
      alert({ userEmail: '<script>alert(1)</script>"@x.test', details: {} }),
    );
    expect(mail.subject).toContain('Compte verrouillé');
    // Created 21:13 UTC: 16:13 in New York, the organisation's zone.
    expect(mail.text).toContain('16:13');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;@x.test');
    expect(mail.text).toContain('<script>alert(1)</script>');
  });
});

describe('locale validation', () => {
  it('accepts the five languages and IANA zones, and names the field otherwise', () => {
    expect(validateLanguage('NL')).toBe('nl');
    expect(() => validateLanguage('de')).toThrow(
      /"de" is not a language Sendwarden speaks\. Languages: en, fr, nb, nl, ro\./,
    );
    expect(validateTimeZone('europe/amsterdam')).toBe('Europe/Amsterdam');
    expect(validateTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '+01:00', 'CET;drop', ''])
      expect(() => validateTimeZone(bad), bad).toThrow(/is not an IANA time zone/);
  });
});

describe('maskSecrets', () => {
  it('masks a reset code in the MIME a notice becomes, in the text and HTML parts', async () => {
    const mail = await composer.resetCode(
      { language: 'fr' },
      { account: 'rob@contoso.com', code: '90817263', minutes: 15 },
    );
    const raw = await new MailComposer({ from: 'a@x.test', to: 'b@x.test', ...mail }).compile().build();
    expect(raw.toString('latin1')).toContain('90817263');
    const masked = maskSecrets(raw, ['90817263']).toString('latin1');
    expect(masked).not.toContain('90817263');
    expect(masked).toContain('********');
  });

  it('masks across a quoted-printable soft line break, and withholds the body when the code cannot be found', () => {
    const qp = Buffer.from('Subject: x\r\n\r\nYour code: 9081=\r\n7263\r\n');
    expect(maskSecrets(qp, ['90817263']).toString()).toBe('Subject: x\r\n\r\nYour code: ********\r\n');
    const b64 = Buffer.from(`Subject: x\r\n\r\n${Buffer.from('Your code: 90817263').toString('base64')}\r\n`);
    const withheld = maskSecrets(b64, ['90817263']).toString();
    expect(withheld).toMatch(/^Subject: x\r\n\r\n\[The body is withheld/);
  });
});

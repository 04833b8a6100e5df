/**
 * Every email speaks its reader's language and leads back (issue 16): a Dutch user's self-service
 * reset email is Dutch, an English admin's alert about that user (locked out by wrong passwords)
 * is English, both carry a link into the portal at SENDWARDEN_PUBLIC_URL, and times are in each
 * reader's own time zone, never raw ISO. The mail is read back from the capture outbox (the real
 * next hop of an unconfigured node), parsed as MIME by mailparser. The Outbox hides the reset-code
 * mail from a security admin and masks the code for a global admin until the audited reveal.
 *
 * Fakes: none (real node, HTTP, SQLite, alert dispatcher, capture outbox).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const PUBLIC = 'https://portal.contoso.test';
const SANNE = 'sanne@contoso.com';
const SANNE_HOME = 'sanne@fabrikam.test';
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe('email in the reader’s language and time zone, with the portal link', () => {
  let stack: Stack;
  let admin: string;
  let security: string;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        SENDWARDEN_PUBLIC_URL: PUBLIC,
        SENDWARDEN_MAIL_FROM: 'no-reply@contoso.com',
        SENDWARDEN_SIGN_IN_PER_MINUTE: '1000',
        SENDWARDEN_LANGUAGE: 'fr',
      },
    });
    admin = (await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' })).secret;
    security = (await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'security-admin' })).secret;
  }, 60_000);
  afterAll(async () => stack?.stop());

  const mailTo = async (address: string, subject: RegExp, timeoutMs = 15_000): Promise<ParsedMail> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entries = (await stack.app.outbox!.list()).filter((e) => e.to.includes(address));
      for (const e of entries) {
        const parsed = await simpleParser((await stack.app.outbox!.read(e.id)).raw);
        if (subject.test(parsed.subject ?? '')) return parsed;
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${address} matching ${subject}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it(
    'sends a Dutch reset code to the Dutch user and an English alert to the English admin',
    { timeout: 60_000 },
    async () => {
      // The first admin speaks English in New York; the organisation default is French.
      const me = await stack.http('PATCH', `/api/v1/users/admin@example.com`, {
        token: admin,
        body: { language: 'en', timeZone: 'America/New_York' },
      });
      expect(me.status).toBe(200);
      expect(me.json).toMatchObject({ language: 'en', timeZone: 'America/New_York' });
      const created = await stack.http('POST', '/api/v1/users', {
        token: admin,
        body: {
          email: SANNE,
          displayName: 'Sanne de Vries',
          alternateEmail: SANNE_HOME,
          language: 'nl',
          timeZone: 'Europe/Amsterdam',
        },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ language: 'nl', timeZone: 'Europe/Amsterdam' });
      await stack.setPassword(SANNE);
      const german = await stack.http('PATCH', `/api/v1/users/${SANNE}`, { token: admin, body: { language: 'de' } });
      expect(german.status).toBe(400);
      expect(german.json.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'language' } });
      const zone = await stack.http('PATCH', `/api/v1/users/${SANNE}`, {
        token: admin,
        body: { timeZone: 'Mars/Olympus' },
      });
      expect(zone.status).toBe(400);
      expect(zone.json.error.message).toContain('"Mars/Olympus" is not an IANA time zone');

      // Self-service reset: the code goes to Sanne's alternate address, in Dutch.
      expect((await stack.http('POST', '/api/v1/self-service/reset/start', { body: { email: SANNE } })).status).toBe(
        202,
      );
      const reset = await mailTo(SANNE_HOME, /./);
      expect(reset.subject).toBe('Je code om je Sendwarden-wachtwoord opnieuw in te stellen');
      expect(reset.from?.value[0]?.address).toBe('no-reply@contoso.com');
      expect(reset.text).toContain(`Iemand heeft gevraagd het wachtwoord van ${SANNE} opnieuw in te stellen.`);
      expect(reset.text).toMatch(/Je code: \d{8}/);
      expect(reset.text).toContain('De code is 15 minuten geldig');
      const resetLink = `${PUBLIC}/forgot-password?email=${encodeURIComponent(SANNE)}`;
      expect(reset.text).toContain(resetLink);
      expect(reset.html).toContain(`href="${resetLink}"`);
      expect(reset.html).toContain('<html lang="nl">');

      // Wrong passwords lock Sanne out: the alert goes to the admin, in English, New York time.
      for (let i = 0; i < 10; i++) {
        await stack.http('POST', '/api/v1/session', { body: { email: SANNE, password: `wrong password ${i} xyz` } });
      }
      const alert = await mailTo('admin@example.com', /Account locked out/);
      expect(alert.subject).toBe(`[Sendwarden] Account locked out: ${SANNE}`);
      expect(alert.text).toContain(`${SANNE} was locked out after repeated failed sign-ins, until `);
      expect(alert.text).toMatch(/\((EST|EDT|GMT-[45])\)/);
      expect(alert.text).not.toMatch(ISO);
      expect(alert.text).toContain('Severity: Medium');
      expect(alert.text).toContain(`${PUBLIC}/alerts?status=all`);
      expect(alert.html).toContain(`href="${PUBLIC}/alerts?status=all"`);
      expect(alert.html).not.toMatch(ISO);

      // The same alert on the API carries the figures the portal words in any language.
      const alerts = await stack.http('GET', '/api/v1/alerts?type=account-locked', { token: admin });
      expect(alerts.json.items[0].details.lockedUntil).toBeTruthy();
    },
  );

  it('shows reset-code mail to global admins only, masked until an audited reveal', { timeout: 30_000 }, async () => {
    const secretMail = (await stack.app.outbox!.list()).find((e) => e.to.includes(SANNE_HOME))!;
    const code = /Je code: (\d{8})/.exec(
      (await simpleParser((await stack.app.outbox!.read(secretMail.id)).raw)).text ?? '',
    )![1]!;

    const listedToSecurity = await stack.http('GET', '/api/v1/outbox', { token: security });
    expect(listedToSecurity.status).toBe(200);
    expect(listedToSecurity.json.items.map((i: { id: string }) => i.id)).not.toContain(secretMail.id);
    expect((await stack.http('GET', `/api/v1/outbox/${secretMail.id}`, { token: security })).status).toBe(404);
    expect((await stack.http('POST', `/api/v1/outbox/${secretMail.id}/reveal`, { token: security })).status).toBe(404);

    const listed = await stack.http('GET', '/api/v1/outbox', { token: admin });
    expect(listed.json.items).toContainEqual(expect.objectContaining({ id: secretMail.id, holdsSecret: true }));
    const masked = await stack.http('GET', `/api/v1/outbox/${secretMail.id}`, { token: admin });
    expect(masked.json.masked).toBe(true);
    expect(masked.json.raw).not.toContain(code);
    expect(masked.json.raw).toContain('********');

    const shown = await stack.http('POST', `/api/v1/outbox/${secretMail.id}/reveal`, { token: admin });
    expect(shown.status).toBe(200);
    expect(shown.json.masked).toBe(false);
    expect(shown.json.raw).toContain(code);
    const audit = await stack.http('GET', '/api/v1/audit-log?action=outbox.secret-revealed', { token: admin });
    expect(audit.json.items).toContainEqual(
      expect.objectContaining({ action: 'outbox.secret-revealed', target: `outbox:${secretMail.id}` }),
    );
  });
});

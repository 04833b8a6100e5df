/**
 * Portal sessions, CSRF, TOTP and self-service reset over real HTTP on a real SQLite store.
 * Fakes: Clock (FakeClock) and Mailer (CollectingMailer), see http-harness.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtpauthTotp } from '../../src/adapters/totp/otpauth-totp.js';
import { STRONG } from '../support/builders.js';
import { sessionCookieOf, startHarness, type Harness } from './http-harness.js';
import { backends } from '../support/db.js';

// Every API suite runs on SQLite and, where PostgreSQL answers (always in CI), on PostgreSQL.
const STORE_BACKENDS = backends.filter((b) => !b.skip);

describe.each(STORE_BACKENDS)('HTTP sessions: cookie, second factor, CSRF on $name', (backend) => {
  let h: Harness;
  let admin: { id: string; email: string; password: string };

  beforeAll(async () => {
    h = await startHarness(backend.open);
    admin = await h.addUser('admin@contoso.com', { roles: ['global-admin'] });
    await h.addUser('rob@contoso.com');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('an admin signs in, must enrol TOTP, then acts only with the CSRF header', async () => {
    const signIn = await h.call('POST', '/api/v1/session', { body: { email: admin.email, password: admin.password } });
    expect(signIn.status).toBe(200);
    const cookie = sessionCookieOf(signIn);
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(cookie.attributes).toMatch(/SameSite=Strict/i);
    expect(cookie.attributes).toMatch(/Path=\//);
    expect(cookie.attributes).not.toMatch(/Secure/i);
    expect(signIn.json.mfa).toBe('enrol');
    expect(signIn.json.totpDeadline).toBe(new Date(h.clock.now().getTime() + 14 * 86400_000).toISOString());
    const csrf = signIn.json.csrfToken as string;

    // Before the second factor, admin endpoints are closed.
    const early = await h.call('GET', '/api/v1/users', { cookie: cookie.value });
    expect(early.status).toBe(403);
    expect(early.json.error).toMatchObject({ code: 'TOTP_REQUIRED', details: { mfa: 'enrol' } });

    const enrolment = await h.call('GET', '/api/v1/session/totp/enrolment', { cookie: cookie.value });
    expect(enrolment.status).toBe(200);
    expect(enrolment.json.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Sendwarden:admin%40contoso\.com\?/);
    expect(enrolment.json.qrSvg).toMatch(/^<svg/);
    const code = OtpauthTotp.codeAt(enrolment.json.secret, h.clock.now());

    const noCsrf = await h.call('POST', '/api/v1/session/totp/enrol', { cookie: cookie.value, body: { code } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.error.code).toBe('CSRF_INVALID');
    const wrong = await h.call('POST', '/api/v1/session/totp/enrol', {
      cookie: cookie.value,
      csrf,
      body: { code: code === '000000' ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('TOTP_INVALID');
    const enrolled = await h.call('POST', '/api/v1/session/totp/enrol', { cookie: cookie.value, csrf, body: { code } });
    expect(enrolled.status).toBe(200);
    expect(enrolled.json.mfa).toBe('done');
    expect(enrolled.json.totpDeadline).toBeNull();
    expect(enrolled.json.user.totpEnrolled).toBe(true);

    const list = await h.call('GET', '/api/v1/users', { cookie: cookie.value });
    expect(list.status).toBe(200);
    const blocked = await h.call('PUT', '/api/v1/users/rob@contoso.com/sign-in-status', {
      cookie: cookie.value,
      body: { blocked: true },
    });
    expect(blocked.status).toBe(403);
    expect(blocked.json.error.code).toBe('CSRF_INVALID');
    const forged = await h.call('PUT', '/api/v1/users/rob@contoso.com/sign-in-status', {
      cookie: cookie.value,
      csrf: `${csrf.slice(0, -2)}AA`,
      body: { blocked: true },
    });
    expect(forged.json.error.code).toBe('CSRF_INVALID');
    const ok = await h.call('PUT', '/api/v1/users/rob@contoso.com/sign-in-status', {
      cookie: cookie.value,
      csrf,
      body: { blocked: true },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.signInBlocked).toBe(true);

    // Sign out ends the session at once.
    expect((await h.call('DELETE', '/api/v1/session', { cookie: cookie.value, csrf })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/me', { cookie: cookie.value })).status).toBe(401);
  });

  it('the next sign-in asks for the code; behind TLS the cookie is Secure; idle 8 h ends the session', async () => {
    const signIn = await h.call('POST', '/api/v1/session', {
      body: { email: admin.email, password: admin.password },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(signIn.json.mfa).toBe('required');
    const cookie = sessionCookieOf(signIn);
    expect(cookie.attributes).toMatch(/Secure/i);
    const me = await h.call('GET', '/api/v1/me', { cookie: cookie.value });
    expect(me.json.user.email).toBe('admin@contoso.com');
    expect(me.json.permissions).toContain('restricted.unblock');
    h.clock.advance(8 * 3600_000 + 1000);
    const late = await h.call('GET', '/api/v1/me', { cookie: cookie.value });
    expect(late.status).toBe(401);
    expect(late.json.error.code).toBe('UNAUTHENTICATED');
  });

  it('a wrong password is 401 AUTH_FAILED; a sign-in-blocked user gets no session', async () => {
    const wrong = await h.call('POST', '/api/v1/session', {
      body: { email: admin.email, password: 'not the password at all' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('AUTH_FAILED');
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('a mail user with a forced password change may only change it, then goes on', async () => {
    const user = await h.addUser('alex@contoso.com');
    const operatorToken = await h.token('global-admin');
    const reset = await h.call('POST', '/api/v1/users/alex@contoso.com/reset-password', {
      token: operatorToken,
      body: {},
    });
    const temp = reset.json.temporaryPassword as string;
    const signIn = await h.call('POST', '/api/v1/session', { body: { email: user.email, password: temp } });
    expect(signIn.json.mfa).toBe('done');
    expect(signIn.json.user.mustChangePassword).toBe(true);
    const cookie = sessionCookieOf(signIn).value;
    const csrf = signIn.json.csrfToken as string;
    const blocked = await h.call('GET', '/api/v1/overview', { cookie });
    expect(blocked.json.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const weak = await h.call('POST', '/api/v1/me/password', {
      cookie,
      csrf,
      body: { currentPassword: temp, newPassword: 'password1' },
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error.code).toBe('WEAK_PASSWORD');
    const changed = await h.call('POST', '/api/v1/me/password', {
      cookie,
      csrf,
      body: { currentPassword: temp, newPassword: `${STRONG} alex new` },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.user.mustChangePassword).toBe(false);
    // A mail user has no admin permissions: the core answers, not the HTTP layer.
    const overview = await h.call('GET', '/api/v1/users', { cookie });
    expect(overview.status).toBe(403);
    expect(overview.json.error.code).toBe('FORBIDDEN');
  });
});

describe.each(STORE_BACKENDS)('HTTP self-service password reset on $name', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(backend.open);
    await h.addUser('rob@contoso.com', { alternateEmail: 'rob.home@example.org' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('known and unknown addresses get the same 202; the emailed code works once', async () => {
    const unknown = await h.call('POST', '/api/v1/self-service/reset/start', { body: { email: 'nobody@contoso.com' } });
    const before = h.mailer.sent.length;
    const known = await h.call('POST', '/api/v1/self-service/reset/start', { body: { email: 'rob@contoso.com' } });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.text).toBe(unknown.text);

    const mail = await h.mailer.next('rob.home@example.org', before);
    const code = /Your code: (\d{8})/.exec(mail.text)?.[1];
    expect(code).toBeDefined();

    const wrong = await h.call('POST', '/api/v1/self-service/reset/complete', {
      body: {
        email: 'rob@contoso.com',
        code: code === '00000000' ? '11111111' : '00000000',
        newPassword: `${STRONG} new one`,
      },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('RESET_CODE_INVALID');
    const done = await h.call('POST', '/api/v1/self-service/reset/complete', {
      body: { email: 'rob@contoso.com', code, newPassword: `${STRONG} new one` },
    });
    expect(done.status).toBe(200);
    const again = await h.call('POST', '/api/v1/self-service/reset/complete', {
      body: { email: 'rob@contoso.com', code, newPassword: `${STRONG} newer one` },
    });
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('RESET_CODE_INVALID');

    const signIn = await h.call('POST', '/api/v1/session', {
      body: { email: 'rob@contoso.com', password: `${STRONG} new one` },
    });
    expect(signIn.status).toBe(200);
    expect(
      h.mailer.sent.some(
        (n) => n.subject === 'Your Sendwarden password was changed' && n.to.includes('rob@contoso.com'),
      ),
    ).toBe(true);
  });
});

describe.each(STORE_BACKENDS)('HTTP rate limits on $name', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend.open);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the 11th sign-in attempt from one address within a minute gets 429 RATE_LIMITED', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await h.call('POST', '/api/v1/session', {
            body: { email: `nobody${i}@contoso.com`, password: 'wrong password here' },
          })
        ).status,
      );
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const limited = await h.call('POST', '/api/v1/session', {
      body: { email: 'nobody@contoso.com', password: 'wrong password here' },
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('RATE_LIMITED');
  });
});

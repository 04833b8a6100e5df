/**
 * A user's own app passwords over real HTTP on a real SQLite store (issue 3).
 * Fakes: Clock (FakeClock) and Mailer (CollectingMailer), see http-harness.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieOf, startHarness, type Harness } from './http-harness.js';
import { backends } from '../support/db.js';

// Every API suite runs on SQLite and, where PostgreSQL answers (always in CI), on PostgreSQL.
const STORE_BACKENDS = backends.filter((b) => !b.skip);

describe.each(STORE_BACKENDS)('HTTP /api/v1/me/app-passwords on $name', (backend) => {
  let h: Harness;
  let rob: { id: string; email: string; password: string };
  let megan: { id: string; email: string; password: string };
  const signInAs = async (u: { email: string; password: string }) => {
    const r = await h.call('POST', '/api/v1/session', { body: { email: u.email, password: u.password } });
    expect(r.status).toBe(200);
    return { cookie: sessionCookieOf(r).value, csrf: r.json.csrfToken as string };
  };
  const smtp = (login: string, password: string) =>
    h.signIn.verifyPassword({ login, password, address: '192.0.2.10', channel: 'smtp' });

  beforeAll(async () => {
    h = await startHarness(backend.open);
    rob = await h.addUser('rob@contoso.com');
    megan = await h.addUser('megan@contoso.com');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('rob creates one with the CSRF header only; it is shown once and signs in to SMTP, not the portal', async () => {
    const s = await signInAs(rob);
    const forged = await h.call('POST', '/api/v1/me/app-passwords', { cookie: s.cookie, body: { name: 'Phone' } });
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe('CSRF_INVALID');
    expect((await h.call('GET', '/api/v1/me/app-passwords', { cookie: s.cookie })).json.items).toEqual([]);

    const created = await h.call('POST', '/api/v1/me/app-passwords', {
      cookie: s.cookie,
      csrf: s.csrf,
      body: { name: 'Phone' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(created.json).sort()).toEqual(['id', 'name', 'password']);
    expect(created.json.name).toBe('Phone');
    const password = created.json.password as string;

    expect((await smtp(rob.email, password)).id).toBe(rob.id);
    const portal = await h.call('POST', '/api/v1/session', { body: { email: rob.email, password } });
    expect(portal.status).toBe(401);
    expect(portal.json.error.code).toBe('AUTH_FAILED');

    // The list shows name and last use, and never the password again.
    const list = await h.call('GET', '/api/v1/me/app-passwords', { cookie: s.cookie });
    expect(list.status).toBe(200);
    expect(list.json.items).toEqual([
      {
        id: created.json.id,
        name: 'Phone',
        createdAt: h.clock.now().toISOString(),
        lastUsedAt: h.clock.now().toISOString(),
      },
    ]);
    expect(list.text).not.toContain(password);
    expect(list.text).not.toMatch(/hash/i);

    const duplicate = await h.call('POST', '/api/v1/me/app-passwords', {
      cookie: s.cookie,
      csrf: s.csrf,
      body: { name: 'phone' },
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json.error.message).toBe('You already have an app password named "phone".');
    const extra = await h.call('POST', '/api/v1/me/app-passwords', {
      cookie: s.cookie,
      csrf: s.csrf,
      body: { name: 'Tablet', userId: megan.id },
    });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toBe('Unknown field "userId" in the request body.');
  });

  it("rob cannot revoke megan's app password (404) but revokes his own (204), which then stops working", async () => {
    const m = await signInAs(megan);
    const megans = await h.call('POST', '/api/v1/me/app-passwords', {
      cookie: m.cookie,
      csrf: m.csrf,
      body: { name: 'Laptop' },
    });
    expect(megans.status).toBe(201);

    const r = await signInAs(rob);
    const mine = await h.call('POST', '/api/v1/me/app-passwords', {
      cookie: r.cookie,
      csrf: r.csrf,
      body: { name: 'Outlook' },
    });
    const notHis = await h.call('DELETE', `/api/v1/me/app-passwords/${megans.json.id}`, {
      cookie: r.cookie,
      csrf: r.csrf,
    });
    expect(notHis.status).toBe(404);
    expect(notHis.json.error.code).toBe('NOT_FOUND');
    expect((await smtp(megan.email, megans.json.password)).id).toBe(megan.id);

    const noCsrf = await h.call('DELETE', `/api/v1/me/app-passwords/${mine.json.id}`, { cookie: r.cookie });
    expect(noCsrf.status).toBe(403);
    expect((await smtp(rob.email, mine.json.password)).id).toBe(rob.id);
    const revoked = await h.call('DELETE', `/api/v1/me/app-passwords/${mine.json.id}`, {
      cookie: r.cookie,
      csrf: r.csrf,
    });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    await expect(smtp(rob.email, mine.json.password)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    const names = (await h.call('GET', '/api/v1/me/app-passwords', { cookie: r.cookie })).json.items.map(
      (i: { name: string }) => i.name,
    );
    expect(names).toEqual(['Phone']);
  });

  it('an API token or no credentials cannot use these endpoints: they belong to a signed-in mailbox', async () => {
    const token = await h.token('global-admin');
    const withToken = await h.call('GET', '/api/v1/me/app-passwords', { token });
    expect(withToken.status).toBe(401);
    expect(withToken.json.error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'This endpoint needs a portal session.',
    });
    expect((await h.call('GET', '/api/v1/me/app-passwords')).status).toBe(401);
  });
});

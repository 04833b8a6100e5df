/**
 * The admin API over real HTTP on a real SQLite store.
 * Fakes: Clock (FakeClock) and Mailer (CollectingMailer), see http-harness.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './http-harness.js';
import { backends } from '../support/db.js';

// Every API suite runs on SQLite and, where PostgreSQL answers (always in CI), on PostgreSQL.
const STORE_BACKENDS = backends.filter((b) => !b.skip);

describe.each(STORE_BACKENDS)('HTTP API: roles, confirmation, audit, input errors, OpenAPI on $name', (backend) => {
  let h: Harness;
  let rob: { id: string; email: string };
  let admin: { id: string; email: string };
  let helpdesk: string;
  let security: string;
  let global: string;

  beforeAll(async () => {
    h = await startHarness(backend.open);
    rob = await h.addUser('rob@contoso.com');
    admin = await h.addUser('megan@contoso.com', { roles: ['user-admin'] });
    helpdesk = await h.token('helpdesk');
    security = await h.token('security-admin');
    global = await h.token('global-admin');
    await h.restrict(rob.id);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a helpdesk token may not unblock: 403 FORBIDDEN naming restricted.unblock, and rob stays restricted', async () => {
    const r = await h.call('POST', '/api/v1/restricted-users/rob@contoso.com/unblock', {
      token: helpdesk,
      body: { confirm: true },
    });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('FORBIDDEN');
    expect(r.json.error.message).toContain('restricted.unblock');
    expect(await h.restrictions.activeRestriction(rob.id)).toBeDefined();
    // The refused attempt itself is audited, with the missing permission.
    const denied = (await h.db.store.stores.audit.list({ action: 'access.denied' })).items;
    expect(
      denied.some(
        (e) =>
          e.after?.['permission'] === 'restricted.unblock' && e.target === 'POST /api/v1/restricted-users/:id/unblock',
      ),
    ).toBe(true);
  });

  it("a helpdesk token may not reset an admin's password, but may reset a mail user's", async () => {
    const denied = await h.call('POST', `/api/v1/users/${admin.email}/reset-password`, { token: helpdesk, body: {} });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('FORBIDDEN');
    expect(denied.json.error.message).toContain('admin role');
    const ok = await h.call('POST', '/api/v1/users/rob@contoso.com/reset-password', { token: helpdesk, body: {} });
    expect(ok.status).toBe(200);
    expect(ok.json.temporaryPassword).toMatch(/^\w{5}-\w{5}-\w{5}-\w{5}$/);
    expect(ok.json.user.mustChangePassword).toBe(true);
    expect(ok.headers.get('cache-control')).toBe('no-store');
  });

  it('unblock without confirm answers 400 CONFIRMATION_REQUIRED saying what to send; with confirm the row leaves the list', async () => {
    const noConfirm = await h.call('POST', '/api/v1/restricted-users/rob@contoso.com/unblock', {
      token: security,
      body: {},
    });
    expect(noConfirm.status).toBe(400);
    expect(noConfirm.json.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(noConfirm.json.error.message).toContain('"confirm": true');
    const list = await h.call('GET', '/api/v1/restricted-users?search=rob', { token: security });
    expect(list.json.items.map((i: { email: string }) => i.email)).toEqual(['rob@contoso.com']);
    // The numbers behind the sentence, so the portal can word it in the admin's language.
    expect(list.json.items[0]).toMatchObject({ rule: 'external-per-hour', count: 6, limit: 5, windowMinutes: 60 });
    const detail = await h.call('GET', '/api/v1/restricted-users/rob@contoso.com', { token: security });
    expect(detail.status).toBe(200);
    expect(detail.json.reason).toBe('6 external recipients in the last hour; limit 5');
    expect(detail.json.unblocksLeft).toBeGreaterThan(0);
    const done = await h.call('POST', '/api/v1/restricted-users/rob@contoso.com/unblock', {
      token: security,
      body: { confirm: true, stepsDone: ['reset-password'] },
    });
    expect(done.status).toBe(200);
    expect(done.json.releaseKind).toBe('unblock');
    expect(done.json.stepsDone).toEqual(['reset-password']);
    const after = await h.call('GET', '/api/v1/restricted-users?search=rob', { token: security });
    expect(after.json.items).toEqual([]);
  });

  it('every change above is in the audit log, with the token as actor', async () => {
    const r = await h.call('GET', '/api/v1/audit-log?limit=100', { token: global });
    expect(r.status).toBe(200);
    const actions = r.json.items.map(
      (e: { action: string; actor: { kind: string }; target: string }) => `${e.action} ${e.actor.kind} ${e.target}`,
    );
    expect(actions).toContain('user.password-reset token user:rob@contoso.com');
    expect(actions).toContain('restriction.unblocked token user:rob@contoso.com');
    const csv = await h.call('GET', '/api/v1/audit-log/export.csv?action=restriction.unblocked', { token: global });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('seq,at,actor_kind,actor,address,action,target,before,after,hash');
    expect(csv.text).toContain('"restriction.unblocked"');
  });

  it('malformed JSON, an unknown field, a wrong type, an oversized body and path traversal get precise 4xx without stack traces', async () => {
    const bad = await h.call('POST', '/api/v1/users', { token: global, raw: '{"email": "x@contoso.com",' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' });
    const unknown = await h.call('POST', '/api/v1/users', {
      token: global,
      body: { email: 'alex@contoso.com', displayName: 'Alex', isAdmin: true },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('Unknown field "isAdmin" in the request body.');
    const wrongType = await h.call('PUT', '/api/v1/users/rob@contoso.com/sign-in-status', {
      token: global,
      body: { blocked: 'yes' },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error.message).toMatch(/^body\.blocked: /);
    const huge = await h.call('POST', '/api/v1/users', {
      token: global,
      raw: JSON.stringify({ email: 'a@contoso.com', displayName: 'x'.repeat(1_100_000) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    const traversal = await h.call('GET', '/api/v1/users/..%2F..%2Fetc%2Fpasswd', { token: global });
    expect(traversal.status).toBe(400);
    expect(traversal.json.error.code).toBe('INVALID_INPUT');
    for (const r of [bad, unknown, wrongType, huge, traversal]) expect(r.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it('no credentials: 401; a bad or revoked token: 401 TOKEN_INVALID; unknown route: 404 JSON', async () => {
    expect((await h.call('GET', '/api/v1/users')).status).toBe(401);
    const forged = await h.call('GET', '/api/v1/users', { token: `${security.slice(0, -4)}0000` });
    expect(forged.status).toBe(401);
    expect(forged.json.error.code).toBe('TOKEN_INVALID');
    const temp = await h.token('security-reader');
    const tokenId = temp.split('_')[1];
    expect((await h.call('DELETE', `/api/v1/tokens/${tokenId}`, { token: global })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/users', { token: temp })).json.error.code).toBe('TOKEN_INVALID');
    const missing = await h.call('GET', '/api/v1/nothing-here', { token: global });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
  });

  it('users list: search finds rob by "rob", with paging and the DTO carrying no secret', async () => {
    const r = await h.call('GET', '/api/v1/users?search=rob&limit=10', { token: helpdesk });
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(1);
    expect(r.json.items[0].email).toBe('rob@contoso.com');
    expect(r.text).not.toMatch(/argon2|passwordHash|totpSecret/);
    const badLimit = await h.call('GET', '/api/v1/users?limit=5000', { token: helpdesk });
    expect(badLimit.status).toBe(400);
  });

  it('Home overview: a helpdesk token gets empty counts, a security admin the real ones (decided in core)', async () => {
    const dan = await h.addUser('dan@contoso.com');
    await h.restrict(dan.id);
    const denied = await h.call('GET', '/api/v1/overview', { token: helpdesk });
    expect(denied.status).toBe(200);
    expect(denied.json.restrictedCount).toBe(0);
    expect(denied.json.openAlerts).toBe(0);
    expect(denied.json.topSenders).toEqual([]);
    expect(denied.json.hourly).toHaveLength(24);
    const shown = await h.call('GET', '/api/v1/overview', { token: security });
    expect(shown.json.restrictedCount).toBeGreaterThanOrEqual(1);
    expect(shown.json.openAlerts).toBeGreaterThanOrEqual(1);
    expect(shown.json.hourly).toEqual(denied.json.hourly);
  });

  it('healthz, metrics and the docs page answer', async () => {
    const health = await h.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', store: 'ok', counters: 'ok' });
    const metrics = await h.call('GET', '/metrics');
    expect(metrics.text).toContain('sendwarden_http_request_duration_seconds_bucket');
    const docs = await h.call('GET', '/api/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(docs.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
  });

  it('/openapi.json is OpenAPI 3.1 and lists exactly the registered routes', async () => {
    const r = await h.call('GET', '/openapi.json');
    expect(r.json.openapi).toBe('3.1.0');
    const documented = Object.entries(r.json.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const registered = h.routes
      .filter((x) => x.method !== 'HEAD')
      .map((x) => `${x.method} ${x.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    expect(documented).toEqual(registered);
    expect(documented).toContain('POST /api/v1/restricted-users/{id}/unblock');
    expect(r.json.components.schemas.UserDto.properties).not.toHaveProperty('passwordHash');
  });
});

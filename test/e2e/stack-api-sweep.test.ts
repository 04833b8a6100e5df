/**
 * Every API route the portal relies on, once, on a real node (startStack: SQLite, capture outbox,
 * the demo tenant), as an admin's script or browser would call it. The focused suites (http-*.test.ts)
 * cover roles, validation and edge cases; this sweep makes sure no route is left untried end to end.
 */
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

interface Session {
  cookie: string;
  csrf: string;
  json: { mfa: string; sessionId: string };
}

describe('API sweep on a running node', () => {
  let stack: Stack;
  let token: string;

  const call = (
    method: string,
    pathname: string,
    options: { token?: string; session?: Session; body?: unknown } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.session) {
      headers['cookie'] = `sw_session=${options.session.cookie}`;
      headers['x-csrf-token'] = options.session.csrf;
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(new URL(pathname, stack.httpUrl), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  };
  const signIn = async (email: string, password: string): Promise<Session> => {
    const r = await call('POST', '/api/v1/session', { body: { email, password } });
    expect(r.status).toBe(200);
    const json = (await r.json()) as Session['json'] & { csrfToken: string };
    const cookie = /sw_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1] ?? '';
    return { cookie, csrf: json.csrfToken, json };
  };

  beforeAll(async () => {
    stack = await startStack({ demo: true });
    token = (await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' })).secret;
    // rob sends one message through the real gateway, so the outbox, the message log and the overview have data.
    const password = await stack.setPassword('rob@contoso.com');
    const transport = createTransport({
      host: '127.0.0.1',
      port: stack.smtpPort,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'rob@contoso.com', pass: password },
    });
    try {
      await transport.sendMail({
        from: 'rob@contoso.com',
        to: 'partner@fabrikam.com',
        subject: 'Quarterly figures',
        text: 'See you Monday.',
      });
    } finally {
      transport.close();
    }
    await stack.app.flushMessages();
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('outbox: the captured message is listed and readable; an unknown id is 404 NOT_FOUND', async () => {
    const list = (await (await call('GET', '/api/v1/outbox', { token })).json()) as {
      items: { id: string; subject: string; to: string[] }[];
    };
    const item = list.items.find((i) => i.subject === 'Quarterly figures');
    expect(item?.to).toEqual(['partner@fabrikam.com']);
    const one = await call('GET', `/api/v1/outbox/${item!.id}`, { token });
    expect(one.status).toBe(200);
    expect(((await one.json()) as { raw: string }).raw).toContain('See you Monday.');
    const missing = await call('GET', '/api/v1/outbox/no-such-message', { token });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it("a user's recent messages and the Home overview show what rob sent", async () => {
    const messages = (await (await call('GET', '/api/v1/users/rob@contoso.com/messages', { token })).json()) as {
      items: { sender: string; recipientsExternal: number; subject: string | null }[];
    };
    expect(messages.items.some((m) => m.sender === 'rob@contoso.com' && m.recipientsExternal === 1)).toBe(true);
    const overview = (await (await call('GET', '/api/v1/overview', { token })).json()) as {
      restrictedCount: number;
      topSenders: { sender: string; count: number }[];
    };
    expect(overview.restrictedCount).toBeGreaterThanOrEqual(1); // diego, seeded restricted
    expect(overview.topSenders.map((t) => t.sender)).toContain('rob@contoso.com');
  });

  it('users: create, read, change, delete', async () => {
    const created = await call('POST', '/api/v1/users', {
      token,
      body: { email: 'nestor@contoso.com', displayName: 'Nestor Wilke' },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const patched = await call('PATCH', `/api/v1/users/${id}`, { token, body: { displayName: 'Nestor W.' } });
    expect(((await patched.json()) as { displayName: string }).displayName).toBe('Nestor W.');
    expect(
      ((await (await call('GET', '/api/v1/users/nestor@contoso.com', { token })).json()) as { displayName: string })
        .displayName,
    ).toBe('Nestor W.');
    expect((await call('DELETE', `/api/v1/users/${id}`, { token })).status).toBe(204);
    expect((await call('GET', '/api/v1/users/nestor@contoso.com', { token })).status).toBe(404);
  });

  it('secure account on the restricted diego: password reset, sessions and app passwords revoked, unblocked, audited', async () => {
    const r = await call('POST', '/api/v1/users/diego@contoso.com/secure-account', { token, body: { unblock: true } });
    expect(r.status).toBe(200);
    const report = (await r.json()) as { temporaryPassword: string; unblocked: boolean; stepsDone: string[] };
    expect(report.unblocked).toBe(true);
    expect(report.temporaryPassword).toMatch(/^\w{5}(-\w{5}){3}$/);
    expect(report.stepsDone).toEqual(['reset-password', 'revoke-sessions', 'revoke-app-passwords']);
    const csv = await call('GET', '/api/v1/audit-log/export.csv', { token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain('user.account-secured');
    expect(text).toContain('restriction.unblocked');
    expect(text).not.toContain(report.temporaryPassword);
  });

  it('alerts: an open alert can be resolved', async () => {
    const alerts = (await (await call('GET', '/api/v1/alerts?open=true', { token })).json()) as {
      items: { id: string; resolvedAt: string | null }[];
    };
    const open = alerts.items.find((a) => a.resolvedAt === null);
    expect(open).toBeDefined();
    const resolved = await call('POST', `/api/v1/alerts/${open!.id}/resolve`, { token });
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as { resolvedAt: string | null }).resolvedAt).not.toBeNull();
  });

  it('tokens: listed without secrets; a revoked token is refused at once', async () => {
    const created = (await (
      await call('POST', '/api/v1/tokens', { token, body: { role: 'security-reader', name: 'report script' } })
    ).json()) as { token: string; apiToken: { id: string } };
    expect((await call('GET', '/api/v1/restricted-users', { token: created.token })).status).toBe(200);
    const list = await (await call('GET', '/api/v1/tokens', { token })).text();
    expect(list).toContain('report script');
    expect(list).not.toContain(created.token);
    expect((await call('DELETE', `/api/v1/tokens/${created.apiToken.id}`, { token })).status).toBe(200);
    expect((await call('GET', '/api/v1/restricted-users', { token: created.token })).status).toBe(401);
  });

  it('sessions: a user sees their sessions and signs one out; that cookie stops working', async () => {
    const password = await stack.setPassword('megan@contoso.com');
    const first = await signIn('megan@contoso.com', password);
    const second = await signIn('megan@contoso.com', password);
    const list = (await (await call('GET', '/api/v1/sessions', { session: second })).json()) as {
      items: { id: string; isCurrent: boolean }[];
    };
    expect(list.items).toHaveLength(2);
    expect(list.items.find((s) => s.isCurrent)?.id).toBe(second.json.sessionId);
    expect((await call('DELETE', `/api/v1/sessions/${first.json.sessionId}`, { session: second })).status).toBe(204);
    expect((await call('GET', '/api/v1/me', { session: first })).status).toBe(401);
    expect((await call('GET', '/api/v1/me', { session: second })).status).toBe(200);
  });

  it('an admin without an authenticator app may postpone enrolment, and then works', async () => {
    const admin = await stack.addUser('ops@contoso.com', { roles: ['security-admin'] });
    const s = await signIn(admin.email, admin.password);
    expect(s.json.mfa).toBe('enrol');
    const pending = await call('GET', '/api/v1/restricted-users', { session: s });
    expect(pending.status).toBe(403);
    expect(((await pending.json()) as { error: { code: string } }).error.code).toBe('TOTP_REQUIRED');
    expect((await call('POST', '/api/v1/session/totp/postpone', { session: s })).status).toBe(200);
    expect((await call('GET', '/api/v1/restricted-users', { session: s })).status).toBe(200);
  });

  it('health and metrics answer', async () => {
    expect(await (await call('GET', '/healthz')).json()).toEqual({ status: 'ok', store: 'ok', counters: 'ok' });
    const metrics = await (await call('GET', '/metrics')).text();
    expect(metrics).toContain('sendwarden_messages_total');
  });
});

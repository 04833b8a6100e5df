/**
 * PostgreSQL goes away while a node runs. A user signing in hears `451 4.3.0` (try later), never
 * `535` (a wrong password they would start "fixing"); an open session's next RCPT gets the same
 * 451; the API answers 503 STORE_UNAVAILABLE with a sentence and no stack trace; nothing is
 * handed on. When the database is back, the same node works again without a restart. If this
 * fails, a database blip locks users out, tells them their password is wrong, or leaks internals.
 *
 * Fakes: none. Real PostgreSQL (a fresh database) behind test/support/tcp-proxy.ts (the proxy is
 * what goes away; the shared server is never touched), in-process counters, capture outbox.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPostgresDatabase, postgresRawQuery } from '../support/db.js';
import { HAS_POSTGRES } from '../support/services.js';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { STRONG } from '../support/builders.js';
import { startStack, SYSTEM_PRINCIPAL, type HttpReply, type Stack } from '../support/stack.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const SAM = 'sam@contoso.com';
const TEMPORARY = '451 4.3.0 Temporary server error, try again later';
const REPLY_BOUND_MS = 5000;
const QUERY_TIMEOUT_MS = 2000;
/**
 * A hanging database is given up on after the query timeout on a pooled connection, or after the
 * pool's 5 s connect timeout on a new one; plus a loaded machine.
 */
const HANG_BOUND_MS = 5000 + QUERY_TIMEOUT_MS + 3000;

/** What a client must never see in an error body: stack frames, driver internals, file paths. */
function expectNoInternals(reply: HttpReply): void {
  expect(reply.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|pg-pool|Error: /);
}

describe.skipIf(!HAS_POSTGRES)('PostgreSQL goes away while the node runs', () => {
  let proxy: TcpProxy | undefined;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  let stack: Stack | undefined;
  let token = '';
  const clients: SmtpTestClient[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    proxy = await TcpProxy.start(database.url);
    // A short query timeout, so the hang case fails fast (the default is 30 s).
    const url = new URL(proxy.urlFor(database.url));
    url.searchParams.set('query_timeout', String(QUERY_TIMEOUT_MS));
    stack = await startStack({ env: { DATABASE_URL: url.toString() } });
    await stack.addUser(SAM);
    ({ secret: token } = await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' }));
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await proxy?.resume();
    await stack?.stop();
    await proxy?.close();
    await database?.drop();
  });

  async function connect(): Promise<SmtpTestClient> {
    const client = await SmtpTestClient.connect(stack!.smtpPort, { replyTimeoutMs: 15_000 });
    clients.push(client);
    return client;
  }

  async function outboxOf(sender: string): Promise<string[]> {
    return (await stack!.app.outbox!.list()).filter((m) => m.from === sender).map((m) => m.id);
  }

  it('AUTH and RCPT get 451 4.3.0, the API 503 STORE_UNAVAILABLE; back: everything works, no restart', async () => {
    const open = await connect();
    expect(await open.signIn(SAM, STRONG)).toMatch(/^235 /);
    expect(await open.command(`MAIL FROM:<${SAM}>`)).toMatch(/^250 /);
    expect((await stack!.http('GET', '/api/v1/users?search=sam', { token })).status).toBe(200);

    await proxy!.pause();

    // The open session: the next recipient is deferred, quickly, and nothing is handed on.
    let started = performance.now();
    expect(await open.command('RCPT TO:<colleague@contoso.com>')).toBe(TEMPORARY);
    expect(performance.now() - started).toBeLessThan(REPLY_BOUND_MS);
    expect(await open.command('DATA')).toMatch(/^5\d\d /);
    expect(await open.command('RSET')).toMatch(/^250 /);

    // A new sign-in with the right password: temporary failure, not "credentials invalid".
    const fresh = await connect();
    started = performance.now();
    expect(await fresh.signIn(SAM, STRONG)).toBe(TEMPORARY);
    expect(performance.now() - started).toBeLessThan(REPLY_BOUND_MS);
    // ...and with a wrong one too: while the store is down nobody is told their password is wrong.
    expect(await fresh.authPlain(SAM, 'not the password')).toBe(TEMPORARY);

    // The API: 503 with the catalogue code and a sentence, never a stack trace.
    const users = await stack!.http('GET', '/api/v1/users?search=sam', { token });
    expect(users.status).toBe(503);
    expect(users.json.error.code).toBe('STORE_UNAVAILABLE');
    expect(users.json.error.message).toMatch(/database/i);
    expectNoInternals(users);
    const unblock = await stack!.http('POST', `/api/v1/restricted-users/${SAM}/unblock`, {
      token,
      body: { confirm: true },
    });
    expect(unblock.status).toBe(503);
    expect(unblock.json.error.code).toBe('STORE_UNAVAILABLE');
    expectNoInternals(unblock);
    const health = await stack!.http('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: 'unavailable', store: 'unavailable', counters: 'ok' });

    await proxy!.resume();

    // Same node, no restart: the API, a new sign-in and the session kept open all work again.
    expect((await stack!.http('GET', '/healthz')).status).toBe(200);
    const again = await stack!.http('GET', '/api/v1/users?search=sam', { token });
    expect(again.status).toBe(200);
    // The failed AUTH during the outage was never counted as a wrong password.
    const sam = (again.json.items as { email: string; lockedUntil?: string | null }[]).find((u) => u.email === SAM);
    expect(sam?.lockedUntil ?? null).toBeNull();
    expect(await fresh.authPlain(SAM, STRONG)).toMatch(/^235 /);
    const to = ['colleague@contoso.com'];
    const sent = await open.sendMail(SAM, to, simpleMessage(SAM, to, 'after-db-outage'));
    expect(sent.final).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
    expect(await outboxOf(SAM)).toHaveLength(1);
    await open.quit();
    await fresh.quit();
  });

  it('PostgreSQL hangs (takes the connection, never answers): 451 4.3.0 and 503 within seconds', async () => {
    const open = await connect();
    expect(await open.signIn(SAM, STRONG)).toMatch(/^235 /);
    expect(await open.command(`MAIL FROM:<${SAM}>`)).toMatch(/^250 /);
    const before = await outboxOf(SAM);

    await proxy!.hang();

    let started = performance.now();
    expect(await open.command('RCPT TO:<colleague@contoso.com>')).toBe(TEMPORARY);
    expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);
    const fresh = await connect();
    started = performance.now();
    expect(await fresh.signIn(SAM, STRONG)).toBe(TEMPORARY);
    expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);
    started = performance.now();
    const users = await stack!.http('GET', '/api/v1/users?search=sam', { token });
    expect(users.status).toBe(503);
    expect(users.json.error.code).toBe('STORE_UNAVAILABLE');
    expectNoInternals(users);
    expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);

    await proxy!.resume();
    expect(await open.command('RSET')).toMatch(/^250 /);
    const to = ['colleague@contoso.com'];
    const sent = await open.sendMail(SAM, to, simpleMessage(SAM, to, 'after-db-hang'));
    expect(sent.final).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
    expect(await outboxOf(SAM)).toHaveLength(before.length + 1);
    await open.quit();
    await fresh.quit();
  });

  it('the connection is cut in the middle of a query: 451 4.3.0, the process lives on, then works again', async () => {
    const open = await connect();
    expect(await open.signIn(SAM, STRONG)).toMatch(/^235 /);
    expect(await open.command(`MAIL FROM:<${SAM}>`)).toMatch(/^250 /);
    const before = await outboxOf(SAM);

    // The RCPT's query reaches the (hanging) database, then the database goes away under it.
    await proxy!.hang();
    const started = performance.now();
    const pending = open.command('RCPT TO:<colleague@contoso.com>');
    await proxy!.whenSwallowed();
    await proxy!.pause();
    expect(await pending).toBe(TEMPORARY);
    // Well before the query timeout: the cut itself ended the query.
    expect(performance.now() - started).toBeLessThan(QUERY_TIMEOUT_MS + 1000);
    expect((await stack!.http('GET', '/healthz')).status).toBe(503);

    await proxy!.resume();
    expect(await open.command('RSET')).toMatch(/^250 /);
    const to = ['colleague@contoso.com'];
    const sent = await open.sendMail(SAM, to, simpleMessage(SAM, to, 'after-db-cut'));
    expect(sent.final).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
    expect(await outboxOf(SAM)).toHaveLength(before.length + 1);
    await open.quit();
  });

  it('a write that times out behind a lock never lands later, and the next requests are not affected', async () => {
    // Another session holds sam's row; the admin's "block sign-in" waits behind it past the timeout.
    const locker = new pg.Client({ connectionString: database!.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('select id from users where email = $1 for update', [SAM]);
      const blocked = await stack!.http('PUT', `/api/v1/users/${SAM}/sign-in-status`, {
        token,
        body: { blocked: true },
      });
      expect(blocked.status).toBe(503);
      expect(blocked.json.error.code).toBe('STORE_UNAVAILABLE');
      await locker.query('commit');
    } finally {
      await locker.end();
    }
    // Later requests (which reuse the pool's connections) commit their own work only.
    for (let i = 0; i < 12; i++) {
      const r = await stack!.http('POST', `/api/v1/users/${SAM}/unlock`, { token });
      expect(r.status).toBe(200);
    }
    // The admin was told the change failed: sam must still be allowed to sign in.
    const rows = (await postgresRawQuery(database!.url, 'select sign_in_blocked from users where email = ?', [
      SAM,
    ])) as {
      sign_in_blocked: unknown;
    }[];
    expect(rows.map((r) => Boolean(r.sign_in_blocked))).toEqual([false]);
    const client = await connect();
    expect(await client.signIn(SAM, STRONG)).toMatch(/^235 /);
    await client.quit();
  });
});

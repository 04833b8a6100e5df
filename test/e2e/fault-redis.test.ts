/**
 * Redis goes away, or hangs, while a node runs. A signed-in user's next RCPT gets exactly
 * `451 4.3.0 Temporary server error, try again later` within seconds (so the client keeps the
 * message and retries), nothing is handed on, the process keeps serving, /healthz says the
 * counters are unavailable, and once Redis is back the same session sends again. If this
 * fails, a Redis outage either lets mail past the limits, loses it, or hangs every client.
 *
 * Fakes: none. Real PostgreSQL (a fresh database), real Redis behind test/support/tcp-proxy.ts
 * (the proxy is what "goes away"; the shared Redis itself is never touched), capture outbox.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/db.js';
import { HAS_POSTGRES, HAS_REDIS, REDIS_URL } from '../support/services.js';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { STRONG } from '../support/builders.js';
import { startStack, type Stack } from '../support/stack.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const SAM = 'sam@contoso.com';
const TEMPORARY = '451 4.3.0 Temporary server error, try again later';
/** RedisCounters answers within its 1 s timeout; the rest is a loaded two-core machine. */
const REPLY_BOUND_MS = 5000;

/**
 * Polls /healthz until it answers `status` (a client retrying after a 451 does the same), failing
 * after `deadlineMs`: the reconnect itself has no event a test can wait on.
 */
async function waitForHealth(stack: Stack, status: number, deadlineMs: number): Promise<void> {
  const until = performance.now() + deadlineMs;
  let last = 0;
  while (performance.now() < until) {
    last = (await stack.http('GET', '/healthz')).status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/healthz still answered ${last}, not ${status}, after ${deadlineMs} ms`);
}

describe.skipIf(!HAS_POSTGRES || !HAS_REDIS)('Redis goes away or hangs while the node runs', () => {
  let proxy: TcpProxy | undefined;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  let stack: Stack | undefined;
  const clients: SmtpTestClient[] = [];

  beforeAll(async () => {
    proxy = await TcpProxy.start(REDIS_URL);
    database = await createPostgresDatabase();
    stack = await startStack({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: proxy.urlFor(REDIS_URL),
        SENDWARDEN_REDIS_PREFIX: `sw:test:fault:${randomBytes(6).toString('hex')}:`,
      },
    });
    await stack.addUser(SAM);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await proxy?.resume();
    // Every key of this test lives under its own prefix: remove them all.
    await stack?.app.counters.reset('').catch(() => undefined);
    await stack?.stop();
    await proxy?.close();
    await database?.drop();
  });

  async function signedIn(): Promise<SmtpTestClient> {
    const client = await SmtpTestClient.connect(stack!.smtpPort, { replyTimeoutMs: 15_000 });
    clients.push(client);
    expect(await client.signIn(SAM, STRONG)).toMatch(/^235 /);
    return client;
  }

  async function outboxOf(sender: string): Promise<string[]> {
    return (await stack!.app.outbox!.list()).filter((m) => m.from === sender).map((m) => m.id);
  }

  /** Sends one message on an open session and expects it handed on. */
  async function sendsAgain(client: SmtpTestClient, subject: string): Promise<void> {
    const to = [`colleague.${subject}@contoso.com`];
    const r = await client.sendMail(SAM, to, simpleMessage(SAM, to, subject));
    expect(r.mail).toMatch(/^250 /);
    expect(r.rcpt).toEqual([expect.stringMatching(/^250 /)]);
    expect(r.final).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
  }

  /** RCPT on a session whose MAIL FROM was accepted while Redis was still there. */
  async function rcptDuringOutage(client: SmtpTestClient, label: string): Promise<void> {
    const before = await outboxOf(SAM);
    const started = performance.now();
    const reply = await client.command(`RCPT TO:<outage.${label}@fabrikam.com>`);
    const elapsed = performance.now() - started;
    expect(reply).toBe(TEMPORARY);
    expect(elapsed).toBeLessThan(REPLY_BOUND_MS);
    // No recipient was taken, so DATA has nothing to send and nothing reaches the outbox.
    expect(await client.command('DATA')).toMatch(/^5\d\d /);
    expect(await client.command('RSET')).toMatch(/^250 /);
    // A new transaction is refused the same way at MAIL FROM (it consumes the per-minute counter).
    const mailStarted = performance.now();
    expect(await client.command(`MAIL FROM:<${SAM}>`)).toBe(TEMPORARY);
    expect(performance.now() - mailStarted).toBeLessThan(REPLY_BOUND_MS);
    expect(await outboxOf(SAM)).toEqual(before);

    // The process is up and says what is wrong.
    const health = await stack!.http('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: 'unavailable', store: 'ok', counters: 'unavailable' });
  }

  it('Redis down: 451 4.3.0 within seconds, nothing relayed, healthz 503; back: the same session sends', async () => {
    const client = await signedIn();
    await sendsAgain(client, 'before-outage');
    expect(await client.command(`MAIL FROM:<${SAM}>`)).toMatch(/^250 /);

    await proxy!.pause();
    await rcptDuringOutage(client, 'down');
    // A new client can still connect and greet: only counting is deferred.
    const other = await SmtpTestClient.connect(stack!.smtpPort);
    clients.push(other);
    expect(other.greeting).toMatch(/^220 /);
    await other.quit();

    await proxy!.resume();
    await waitForHealth(stack!, 200, 15_000);
    await sendsAgain(client, 'after-outage');
    expect(await outboxOf(SAM)).toHaveLength(2);
    await client.quit();
  });

  it('Redis hangs (takes the connection, never answers): 451 4.3.0 within seconds; back: sends', async () => {
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${SAM}>`)).toMatch(/^250 /);
    const before = (await outboxOf(SAM)).length;

    await proxy!.hang();
    await rcptDuringOutage(client, 'hang');
    // The gateway is not stuck behind the hanging command: a new session is greeted at once.
    const other = await SmtpTestClient.connect(stack!.smtpPort);
    clients.push(other);
    expect(other.greeting).toMatch(/^220 /);
    await other.quit();

    await proxy!.resume();
    await waitForHealth(stack!, 200, 15_000);
    await sendsAgain(client, 'after-hang');
    expect(await outboxOf(SAM)).toHaveLength(before + 1);
    await client.quit();
  });
});

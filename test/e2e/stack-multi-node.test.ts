/**
 * Two nodes, one deployment: both in this process, sharing one fresh PostgreSQL database and one
 * Redis key prefix (SENDWARDEN_REDIS_PREFIX), each with its own data folder and ports. The limit
 * of 5 external recipients per hour holds across both nodes (rob cannot get 5 through each), and
 * an unblock made through node B's API lets rob send through node A at once, on the session he
 * kept open. If this fails, a second node doubles what a hijacked account can send, or an unblock
 * only works on the node the admin happened to reach.
 *
 * Fakes: none. Skipped when PostgreSQL or Redis does not answer (CI requires both).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/db.js';
import { HAS_POSTGRES, HAS_REDIS, REDIS_URL } from '../support/services.js';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const outside = (n: number) => `person${n}@fabrikam.com`;

describe.skipIf(!HAS_POSTGRES || !HAS_REDIS)('two nodes on one PostgreSQL database and one Redis prefix', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  let nodeA: Stack | undefined;
  let nodeB: Stack | undefined;
  const clients: SmtpTestClient[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      SENDWARDEN_REDIS_PREFIX: `sw:test:${randomBytes(6).toString('hex')}:`,
      // One deployment, one secret: CSRF tokens made on one node must hold on the other.
      SENDWARDEN_SECRET: randomBytes(32).toString('hex'),
    };
    // One after the other: the first applies the migrations and creates the first admin.
    nodeA = await startStack({ demo: true, env });
    nodeB = await startStack({ env });
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    // Every counter key of this test lives under its own prefix: remove them all.
    await nodeA?.app.counters.reset('').catch(() => undefined);
    await nodeB?.stop();
    await nodeA?.stop();
    await database?.drop();
  });

  async function signedIn(node: Stack, password: string): Promise<SmtpTestClient> {
    const client = await SmtpTestClient.connect(node.smtpPort);
    clients.push(client);
    expect(await client.signIn(ROB, password)).toMatch(/^235 /);
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
    return client;
  }

  it('holds the limit across both nodes, and an unblock on B applies on A at once', { timeout: 60_000 }, async () => {
    const a = nodeA!;
    const b = nodeB!;
    await b.app.policyAdmin.update(SYSTEM_PRINCIPAL, {
      limits: { externalPerHour: 5 },
      action: 'restrict',
    });
    const password = await a.setPassword(ROB);
    const onA = await signedIn(a, password);
    const onB = await signedIn(b, password);

    // Five recipients, alternating between the nodes, are within the limit...
    const within = [];
    for (let n = 1; n <= 5; n++) within.push(await (n % 2 ? onA : onB).command(`RCPT TO:<${outside(n)}>`));
    for (const r of within) expect(r).toMatch(/^250 /);
    // ...the sixth, on either node, is not; and the restriction is seen by the other node's session.
    expect(await onB.command(`RCPT TO:<${outside(6)}>`)).toBe(RESTRICTED);
    expect(await onA.command(`RCPT TO:<${outside(7)}>`)).toBe(RESTRICTED);
    await onA.command('RSET');
    await onB.command('RSET');

    const { secret: token } = await b.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'security-admin' });
    const listed = await a.http('GET', '/api/v1/restricted-users?search=rob', { token });
    expect(listed.status).toBe(200);
    expect((listed.json.items as { email: string }[]).map((u) => u.email)).toEqual([ROB]);

    const unblock = await b.http('POST', `/api/v1/restricted-users/${ROB}/unblock`, {
      token,
      body: { confirm: true },
    });
    expect(unblock.status).toBe(200);

    const again = await onA.sendMail(ROB, [outside(8)], simpleMessage(ROB, [outside(8)], 'after-unblock-on-b'));
    expect(again.mail).toMatch(/^250 /);
    expect(again.rcpt).toEqual([expect.stringMatching(/^250 /)]);
    expect(again.final).toMatch(/^250 2\.0\.0 Ok: queued as /);
    await onA.quit();
    await onB.quit();
  });

  it('a portal session made on A works on B, CSRF token included (one SENDWARDEN_SECRET)', async () => {
    const megan = 'megan@contoso.com';
    const password = await nodeA!.setPassword(megan);
    const signIn = await fetch(new URL('/api/v1/session', nodeA!.httpUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: megan, password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = /sw_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const onB = await fetch(new URL('/api/v1/me/app-passwords', nodeB!.httpUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sw_session=${cookie}`, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'Phone' }),
    });
    expect(onB.status).toBe(201);
  });
});

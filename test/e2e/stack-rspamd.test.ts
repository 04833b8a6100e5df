/**
 * Issue 15, "Done when": with a real Rspamd next to the node, GTUBE from a user gets
 * `550 5.7.1 Message refused as spam` and its record shows rspamd and GTUBE; enough GTUBE
 * messages restrict the user with that evidence; with Rspamd stopped a clean message is accepted,
 * /healthz says degraded (still 200), /metrics counts it and exactly one alert is raised; after a
 * restart verdicts return and the alert is resolved. Rspamd restarted in the middle of a run:
 * every message gets a clear answer and nothing is relayed twice. If this fails, sites running
 * Rspamd lose its verdicts, or an Rspamd outage blocks mail or floods admins with alerts.
 *
 * Fakes: none. Real Rspamd (test/support/rspamd.ts), real node (SQLite, SMTP over TLS, HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { createRspamd, GTUBE, type RspamdInstance } from '../support/rspamd.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
const MEGAN = 'megan@contoso.com';
const ALEX = 'alex@contoso.com';
const SPAM = '550 5.7.1 Message refused as spam';
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const TIMEOUT_MS = 1500;

let rspamd: RspamdInstance;
let stack: Stack;
let token: string;
const passwords = new Map<string, string>();
const clients: SmtpTestClient[] = [];

async function session(email: string): Promise<SmtpTestClient> {
  const client = await SmtpTestClient.connect(stack.smtpPort);
  clients.push(client);
  expect(await client.signIn(email, passwords.get(email)!)).toMatch(/^235 /);
  return client;
}

async function send(email: string, subject: string, text: string): Promise<string> {
  const client = await session(email);
  const r = await client.sendMail(
    email,
    ['someone@fabrikam.com'],
    simpleMessage(email, ['someone@fabrikam.com'], subject, text),
  );
  await client.quit();
  return r.final ?? r.rcpt[0] ?? r.mail;
}

interface MessageRow {
  subject: string | null;
  outcome: string;
  isSpam: boolean;
  spamBy: string[];
  scanner: { name: string; action: string; score: number; symbols: string[] } | null;
}

async function messagesOf(email: string): Promise<MessageRow[]> {
  await stack.app.flushMessages();
  const user = await stack.app.directory.getUser(SYSTEM_PRINCIPAL, email);
  const r = await stack.http('GET', `/api/v1/users/${user.id}/messages`, { token });
  expect(r.status).toBe(200);
  return r.json.items as MessageRow[];
}

async function health(): Promise<{ status: number; json: Record<string, string> }> {
  const r = await stack.http('GET', '/healthz');
  return { status: r.status, json: r.json as Record<string, string> };
}

async function scannerAlerts(): Promise<{ resolvedAt: string | null }[]> {
  const r = await stack.http('GET', '/api/v1/alerts?limit=100', { token });
  expect(r.status).toBe(200);
  return (r.json.items as { type: string; resolvedAt: string | null }[]).filter(
    (a) => a.type === 'content-scanner-unavailable',
  );
}

beforeAll(async () => {
  rspamd = await createRspamd();
  await rspamd.start();
  stack = await startStack({
    demo: true,
    env: {
      SENDWARDEN_RSPAMD_URL: rspamd.url,
      SENDWARDEN_RSPAMD_PASSWORD: rspamd.password,
      SENDWARDEN_RSPAMD_CONTROLLER_URL: rspamd.controllerUrl,
      SENDWARDEN_RSPAMD_TIMEOUT_MS: String(TIMEOUT_MS),
    },
  });
  for (const email of [ROB, MEGAN, ALEX]) passwords.set(email, await stack.setPassword(email));
  ({ secret: token } = await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' }));
  await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, { spamVerdictsToRestrict: 3, spamWindowMinutes: 60 });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await stack?.stop();
  await rspamd?.dispose();
});

describe('Rspamd verdicts at the gateway', { timeout: 60_000 }, () => {
  it('refuses GTUBE with 550 5.7.1, records rspamd and GTUBE, and relays a clean message with its verdict', async () => {
    expect(await send(MEGAN, 'lunch', 'Lunch at noon?')).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(await send(MEGAN, 'gtube-1', GTUBE)).toBe(SPAM);
    const rows = await messagesOf(MEGAN);
    const gtube = rows.find((m) => m.subject === 'gtube-1')!;
    expect(gtube).toMatchObject({ outcome: 'rejected', isSpam: true, spamBy: ['rspamd'] });
    expect(gtube.scanner).toMatchObject({ name: 'rspamd', action: 'reject' });
    expect(gtube.scanner!.symbols).toContain('GTUBE');
    const clean = rows.find((m) => m.subject === 'lunch')!;
    expect(clean).toMatchObject({ isSpam: false, spamBy: [], scanner: { name: 'rspamd', action: 'no-action' } });
    expect((await health()).json).toMatchObject({ status: 'ok', contentScanner: 'ok' });
  });

  it('restricts a user after enough GTUBE messages, with rspamd and GTUBE in the evidence', async () => {
    const replies = [];
    for (let i = 1; i <= 3; i++) replies.push(await send(ROB, `rob-gtube-${i}`, GTUBE));
    // The third verdict restricts (policy: 3 in 60 minutes), so its answer is already the restriction's.
    expect(replies).toEqual([SPAM, SPAM, RESTRICTED]);
    expect(await send(ROB, 'after', 'Is this still going out?')).toBe(RESTRICTED);
    const list = await stack.http('GET', '/api/v1/restricted-users', { token });
    const row = (list.json.items as { email: string; userId: string }[]).find((x) => x.email === ROB)!;
    const detail = await stack.http('GET', `/api/v1/restricted-users/${row.userId}`, { token });
    expect(detail.status).toBe(200);
    const evidence = detail.json.evidence as Record<string, unknown>;
    expect(evidence).toMatchObject({ rule: 'spam-verdicts', summary: expect.stringMatching(/^3 spam verdicts/) });
    const verdicts = evidence['verdicts'] as { by: string[]; scanner: string; symbols: string[] }[];
    expect(verdicts[0]).toMatchObject({ by: ['rspamd'], scanner: 'rspamd', scannerAction: 'reject' });
    expect(verdicts[0]!.symbols).toContain('GTUBE');
    const cli = await stack.cli(['restricted', 'list', '--search', 'rob', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)[0]).toMatchObject({
      email: ROB,
      rule: 'spam-verdicts',
      spamBy: ['rspamd'],
      symbols: ['GTUBE'],
    });
  });

  it('with Rspamd stopped accepts clean mail within the timeout, says degraded, counts it, alerts once; a restart brings verdicts back', async () => {
    await rspamd.stop();
    const started = Date.now();
    for (let i = 1; i <= 3; i++)
      expect(await send(MEGAN, `away-${i}`, 'Minutes of the meeting attached.')).toMatch(/^250 /);
    // Three sessions with TLS and sign-in each: each DATA waits at most the timeout, never hangs.
    expect(Date.now() - started).toBeLessThan(3 * (TIMEOUT_MS + 3000));
    // Rspamd away never reads as clean by itself: GTUBE now rests on the built-in scorer alone (which passes it).
    const away = (await messagesOf(MEGAN)).filter((m) => m.subject?.startsWith('away-'));
    expect(away.map((m) => m.scanner)).toEqual([null, null, null]);
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ status: 'degraded', store: 'ok', counters: 'ok', contentScanner: 'unavailable' });
    const metrics = (await stack.http('GET', '/metrics')).text;
    expect(metrics).toMatch(/sendwarden_content_scans_total\{scanner="rspamd",result="unavailable"\} 3/);
    expect(metrics).toMatch(/sendwarden_content_scanner_up\{scanner="rspamd"\} 0/);
    const alerts = await scannerAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.resolvedAt).toBeNull();

    await rspamd.start();
    expect(await send(MEGAN, 'gtube-back', GTUBE)).toBe(SPAM);
    expect((await health()).json).toMatchObject({ status: 'ok', contentScanner: 'ok' });
    await expect.poll(async () => (await scannerAlerts())[0]?.resolvedAt ?? null).not.toBeNull();
    expect(await scannerAlerts()).toHaveLength(1);
  });

  it('Rspamd restarted in the middle of a run: every message gets a clear answer, none is relayed twice', async () => {
    const before = new Set((await stack.app.outbox!.list()).map((m) => m.id));
    // Two GTUBE messages: below the three verdicts that restrict, so every answer is about the message itself.
    const isGtube = (i: number) => i % 3 === 0;
    const run = Array.from({ length: 6 }, (_, i) =>
      send(ALEX, `mid-run-${i}`, isGtube(i) ? GTUBE : `Clean message ${i}.`),
    );
    const restart = (async () => {
      await rspamd.stop();
      await rspamd.start();
    })();
    const replies = await Promise.all(run);
    await restart;
    for (const [i, r] of replies.entries()) {
      // A clean message is always relayed; GTUBE is refused when Rspamd answered, relayed when it was away.
      if (!isGtube(i)) expect(r).toMatch(/^250 /);
      else expect(r === SPAM || r.startsWith('250 ')).toBe(true);
    }
    const captured = (await stack.app.outbox!.list()).filter((m) => m.from === ALEX && !before.has(m.id));
    const queued = replies.filter((r) => r.startsWith('250 ')).map((r) => r.split(' ').at(-1));
    expect(captured.map((m) => m.id).sort()).toEqual([...queued].sort());
  });
});

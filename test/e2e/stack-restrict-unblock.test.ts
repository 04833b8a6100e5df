/**
 * Issue 4, "Done when": with 5 external recipients per hour and the action "restrict", rob's 6th
 * external recipient gets `550 5.1.8 Access denied, bad outbound sender`, rob is on the restricted
 * list with the evidence, an alert exists, and after `sendwarden restricted unblock ... --yes`
 * (a CLI child process, while the server runs) his very next message goes through at once, on
 * the connection he kept open and on a new one. If this fails, a hijacked account keeps sending,
 * or an admin's unblock does not let the real user send until the server restarts.
 *
 * Fakes: none. The whole node runs in this process (real SQLite, real SMTP over TLS, real HTTP);
 * the CLI runs as a child process on the same data folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { CLI_TEST_TIMEOUT_MS } from '../support/cli.js';

const ROB = 'rob@contoso.com';
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const outside = (n: number) => `person${n}@fabrikam.com`;

let stack: Stack;
let robPassword: string;
const clients: SmtpTestClient[] = [];

async function signedIn(): Promise<SmtpTestClient> {
  const client = await SmtpTestClient.connect(stack.smtpPort);
  clients.push(client);
  expect(await client.signIn(ROB, robPassword)).toMatch(/^235 /);
  return client;
}

beforeAll(async () => {
  stack = await startStack({ demo: true });
  robPassword = await stack.setPassword(ROB);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await stack?.stop();
});

describe('restrict at the limit, unblock from the CLI while the server runs', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('restricts at the 6th external recipient, lists rob with evidence, alerts, and an unblock applies at once', async () => {
    const set = await stack.cli(['policy', 'set', '--external-per-hour', '5', '--action', 'restrict']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('external 5/h');
    expect(set.stdout).toContain('action restrict');

    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
    const replies: string[] = [];
    for (let n = 1; n <= 7; n++) replies.push(await client.command(`RCPT TO:<${outside(n)}>`));
    for (const r of replies.slice(0, 5)) expect(r).toMatch(/^250 /);
    expect(replies[5]).toBe(RESTRICTED);
    // Once restricted, every later recipient is refused too (contract.md: "that RCPT and all
    // later ones"); the five counted within the limit are sent to those five only.
    expect(replies[6]).toBe(RESTRICTED);
    expect(await client.command('DATA')).toMatch(/^354 /);
    const five = [1, 2, 3, 4, 5].map(outside);
    expect(await client.sendData(simpleMessage(ROB, five, 'within-the-limit'))).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const sent = (await stack.app.outbox!.list()).filter((m) => m.from === ROB);
    expect(sent.map((m) => [...m.to].sort())).toEqual([[...five].sort()]);

    // A restricted sender cannot start a new transaction either.
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toBe(RESTRICTED);

    const list = await stack.cli(['restricted', 'list', '--search', 'rob', '--json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { email: string; reason: string; rule: string; kind: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: ROB, rule: 'external-per-hour', kind: 'until-unblocked' });
    expect(rows[0]!.reason).toMatch(/^6 external recipients in the last hour; limit 5$/);

    const tokenRun = await stack.cli(['tokens', 'create', '--role', 'security-admin', '--json']);
    expect(tokenRun.code).toBe(0);
    const { token } = JSON.parse(tokenRun.stdout) as { token: string };
    const alerts = await stack.http('GET', '/api/v1/alerts', { token });
    expect(alerts.status).toBe(200);
    const robAlerts = (alerts.json.items as { type: string; userEmail: string; severity: string }[]).filter(
      (a) => a.userEmail === ROB,
    );
    expect(robAlerts.map((a) => a.type)).toContain('user-restricted');
    expect(robAlerts.find((a) => a.type === 'user-restricted')?.severity).toBe('high');

    // Without --yes the CLI refuses and says how to confirm; rob stays restricted.
    const unconfirmed = await stack.cli(['restricted', 'unblock', ROB]);
    expect(unconfirmed.code).toBe(64);
    expect(unconfirmed.stderr).toMatch(/^error: .*--yes/);
    expect(unconfirmed.stdout).toBe('');
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toBe(RESTRICTED);

    const unblock = await stack.cli(['restricted', 'unblock', ROB, '--yes']);
    expect(unblock.stderr).toBe('');
    expect(unblock.code).toBe(0);
    expect(unblock.stdout.trim()).toBe(`${ROB} is unblocked and can send email again now.`);

    // The very next transaction on the connection rob kept open goes through.
    const again = await client.sendMail(ROB, [outside(8)], simpleMessage(ROB, [outside(8)], 'after-unblock-same'));
    expect(again.mail).toMatch(/^250 /);
    expect(again.rcpt).toEqual([expect.stringMatching(/^250 /)]);
    expect(again.final).toMatch(/^250 2\.0\.0 Ok: queued as /);

    // And on a new connection.
    const fresh = await signedIn();
    const next = await fresh.sendMail(ROB, [outside(9)], simpleMessage(ROB, [outside(9)], 'after-unblock-new'));
    expect(next.final).toMatch(/^250 2\.0\.0 Ok: queued as /);

    const after = await stack.http('GET', '/api/v1/restricted-users?search=rob', { token });
    expect(after.status).toBe(200);
    expect(after.json.items).toEqual([]);
    await client.quit();
    await fresh.quit();
  });
});

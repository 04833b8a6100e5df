/**
 * The policy service as `sendwarden serve` runs it: SENDWARDEN_POLICY_PORT set, the same store,
 * counters and guard as the SMTP gateway, and an unblock from the CLI (a child process) that
 * applies to Postfix's very next request. If this fails, an admin who sets the variable gets no
 * policy service, or a user restricted through Postfix stays restricted after the unblock.
 *
 * Fakes: none. The node runs in this process (real SQLite, real sockets); the CLI is a child.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS } from '../support/cli.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
const outside = (n: number) => `person${n}@fabrikam.com`;

let stack: Stack;
const sockets: Socket[] = [];

/** Sends one request per call and resolves with its reply block, as Postfix does. */
async function policyConnection(port: number): Promise<(attributes: Record<string, string>) => Promise<string>> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  sockets.push(socket);
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters: ((reply: string) => void)[] = [];
  socket.on('data', (text: string) => {
    buffer += text;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      waiters.shift()?.(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  });
  socket.on('close', () => waiters.splice(0).forEach((w) => w('(closed)')));
  return (attributes) =>
    new Promise((resolve) => {
      waiters.push(resolve);
      socket.write(
        `${Object.entries(attributes)
          .map(([k, v]) => `${k}=${v}\n`)
          .join('')}\n`,
      );
    });
}

function rcpt(recipient: string, instance: string): Record<string, string> {
  return {
    request: 'smtpd_access_policy',
    protocol_state: 'RCPT',
    protocol_name: 'ESMTP',
    sender: ROB,
    recipient,
    client_address: '192.0.2.10',
    instance,
    sasl_method: 'plain',
    sasl_username: ROB,
  };
}

beforeAll(async () => {
  stack = await startStack({ env: { SENDWARDEN_POLICY_PORT: '0' } });
  await stack.addUser(ROB, { name: 'Rob Young' });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await stack?.stop();
});

describe('SENDWARDEN_POLICY_PORT', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('starts the service on the shared core: restrict at the 6th external recipient, unblock from the CLI', async () => {
    const port = stack.servers.policyPort;
    expect(port).toBeGreaterThan(0);
    await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, { limits: { externalPerHour: 5 }, action: 'restrict' });

    const ask = await policyConnection(port!);
    const replies: string[] = [];
    for (let n = 1; n <= 6; n++) replies.push(await ask(rcpt(outside(n), 'stack.1')));
    expect(replies).toEqual([...Array(5).fill('action=DUNNO'), 'action=550 5.1.8 Access denied, bad outbound sender']);

    // The restriction made through Postfix is the same one the CLI lists and lifts.
    const list = await stack.cli(['restricted', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((r: { email: string }) => r.email)).toEqual([ROB]);
    const unblock = await stack.cli(['restricted', 'unblock', ROB, '--yes']);
    expect(unblock.stderr).toBe('');
    expect(unblock.code).toBe(0);

    expect(await ask(rcpt(outside(7), 'stack.2'))).toBe('action=DUNNO');

    // Every answer was timed, from the request parsed to the answer written (docs/benchmarks.md).
    const metrics = (await stack.http('GET', '/metrics')).text;
    expect(metrics).toMatch(/^sendwarden_policy_decision_seconds_count 7$/m);
    const underASecond = /^sendwarden_policy_decision_seconds_bucket\{le="1"\} (\d+)$/m.exec(metrics)?.[1];
    expect(Number(underASecond)).toBe(7);
  });
});

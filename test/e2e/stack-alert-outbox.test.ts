/**
 * No alert is lost when the CLI exits: `sendwarden restricted unblock diego --yes` runs as a child
 * process and is killed (SIGKILL) the moment it reports the unblock; two server nodes share the
 * PostgreSQL database, and the "Restricted user unblocked" email still reaches the admins, exactly
 * once (one capture-outbox file across both nodes), and the API shows the delivery as sent. If this
 * fails, admins never hear of unblocks made from the command line, or hear twice per node.
 *
 * Fakes: none (real CLI process, real nodes, real PostgreSQL, capture outbox as the next hop).
 * Skipped when PostgreSQL does not answer (CI requires it).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSendwarden } from '../support/cli.js';
import { createPostgresDatabase } from '../support/db.js';
import { HAS_POSTGRES } from '../support/services.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const DIEGO = 'diego@contoso.com';
const SUBJECT = `[Sendwarden] Restricted user unblocked: ${DIEGO}`;

describe.skipIf(!HAS_POSTGRES)('an alert raised by a CLI that is killed right after, with two nodes', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  let nodeA: Stack | undefined;
  let nodeB: Stack | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url, SENDWARDEN_SECRET: randomBytes(32).toString('hex') };
    nodeA = await startStack({ demo: true, env });
    nodeB = await startStack({ env });
  }, 120_000);

  afterAll(async () => {
    await nodeB?.stop();
    await nodeA?.stop();
    await database?.drop();
  });

  const unblockMails = async () =>
    [...(await nodeA!.app.outbox!.list()), ...(await nodeB!.app.outbox!.list())].filter((m) => m.subject === SUBJECT);

  it('is delivered by a server exactly once', { timeout: 90_000 }, async () => {
    const child = spawnSendwarden(['restricted', 'unblock', DIEGO, '--yes'], nodeA!.env);
    child.stdin!.end();
    let stdout = '';
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the CLI did not report the unblock: ${stdout}`)), 60_000);
      child.stdout!.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        if (stdout.includes('is unblocked')) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    expect(await nodeA!.app.restrictions.listRestricted(SYSTEM_PRINCIPAL, 'diego')).toEqual([]);

    const deadline = Date.now() + 20_000;
    while ((await unblockMails()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // Both nodes poll every second: give a double delivery time to show before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    const mails = await unblockMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toContain('admin@example.com');

    const alerts = await nodeB!.app.alerts.list(SYSTEM_PRINCIPAL, { type: 'user-unblocked' });
    expect(alerts.items.map((a) => a.deliveries)).toEqual([
      [expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1 })],
    ]);
  });
});

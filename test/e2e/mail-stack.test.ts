/**
 * One identity across the mail stack: a real Dovecot 2.3 and a real Postfix (Debian packages),
 * configured with what `sendwarden integrate dovecot|postfix` printed, obey Sendwarden on SQLite
 * and on PostgreSQL. If this fails, a user whose sign-in is blocked still reads mail or submits
 * through Postfix, a password guesser at IMAP is never locked out, an old password keeps working
 * at IMAP after a reset, a restricted sender behind Postfix sees another code than the contract's,
 * or mail passes unpoliced while Sendwarden is down.
 *
 * Fakes: none. Sendwarden runs in this process; Dovecot and Postfix are child daemons on free
 * loopback ports with their own temp folders, stopped in afterAll whatever happens.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../support/db.js';
import {
  HAS_MAIL_PEERS,
  imapLogin,
  startDovecot,
  startPostfix,
  type Dovecot,
  type Postfix,
} from '../support/mail-peers.js';
import { getFreePort } from '../support/ports.js';
import { HAS_POSTGRES } from '../support/services.js';
import { SmtpTestClient } from '../support/smtp-client.js';
import { STRONG } from '../support/builders.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const SECRET = 'mail-stack-policy-secret-0123456789';
const ROB = 'rob@contoso.com';
const HOME = '127.0.0.1';
// 127.0.9.0/24 is another place for smart lockout (it counts per /24). Each guess comes from its
// own address because Dovecot's anvil penalty slows repeated failures per IP (2, 4, 8, 15 s).
const ELSEWHERE = (n: number) => `127.0.9.${n}`;

async function submitAuth(postfix: Postfix, password: string): Promise<{ client: SmtpTestClient; reply: string }> {
  const client = await SmtpTestClient.connect(postfix.smtpPort, { replyTimeoutMs: 15_000 });
  await client.ehlo();
  return { client, reply: await client.authPlain(ROB, password) };
}

const backends = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: !HAS_POSTGRES },
] as const;

describe.skipIf(!HAS_MAIL_PEERS).each(backends)('Dovecot and Postfix obey Sendwarden on $name', ({ name, skip }) => {
  let stack: Stack;
  let dovecot: Dovecot | undefined;
  let postfix: Postfix | undefined;
  let dir: string;
  let dropDb: (() => Promise<void>) | undefined;
  let password = STRONG;

  beforeAll(async () => {
    if (skip) return;
    dir = await mkdtemp(path.join(os.tmpdir(), 'sw-mail-stack-'));
    // Dovecot's and Postfix's unprivileged processes must reach their folders inside it.
    await chmod(dir, 0o755);
    const env: Record<string, string> = {
      SENDWARDEN_DOVECOT_POLICY_SECRET: SECRET,
      SENDWARDEN_POLICY_PORT: String(await getFreePort()),
    };
    if (name === 'postgres') {
      const db = await createPostgresDatabase();
      dropDb = db.drop;
      env['DATABASE_URL'] = db.url;
    }
    stack = await startStack({ env });
    await stack.addUser(ROB, { name: 'Rob Young' });
    dovecot = await startDovecot(stack, path.join(dir, 'dovecot'), SECRET);
    postfix = await startPostfix(stack, path.join(dir, 'postfix'), dovecot.authSocket);
  }, 240_000);

  afterAll(async () => {
    await postfix?.stop();
    await dovecot?.stop();
    await stack?.stop();
    await dropDb?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it.skipIf(skip)('the password works at IMAP and at Postfix SASL', { timeout: 150_000 }, async () => {
    expect(await imapLogin(dovecot!.imapPort, ROB, password, HOME)).toBe('OK');
    const { client, reply } = await submitAuth(postfix!, password);
    expect(reply).toMatch(/^235 /);
    await client.quit();
  });

  it.skipIf(skip)(
    'block-sign-in refuses both at once; allow-sign-in lets both in again',
    { timeout: 150_000 },
    async () => {
      expect((await stack.cli(['users', 'block-sign-in', ROB])).code).toBe(0);
      expect(await imapLogin(dovecot!.imapPort, ROB, password, HOME)).toContain('NO');
      const blocked = await submitAuth(postfix!, password);
      expect(blocked.reply).toMatch(/^535 5\.7\.8 /);
      blocked.client.destroy();

      expect((await stack.cli(['users', 'allow-sign-in', ROB])).code).toBe(0);
      expect(await imapLogin(dovecot!.imapPort, ROB, password, HOME)).toBe('OK');
      const allowed = await submitAuth(postfix!, password);
      expect(allowed.reply).toMatch(/^235 /);
      await allowed.client.quit();
    },
  );

  it.skipIf(skip)(
    '10 wrong IMAP passwords from a new place lock it there; the familiar place still signs in',
    { timeout: 120_000 },
    async () => {
      for (let n = 1; n <= 10; n++)
        expect(await imapLogin(dovecot!.imapPort, ROB, `wrong password ${n}`, ELSEWHERE(n))).toContain('NO');
      // The right password from the attacker's place is refused now; from home it works.
      expect(await imapLogin(dovecot!.imapPort, ROB, password, ELSEWHERE(11))).toContain('NO');
      expect(await imapLogin(dovecot!.imapPort, ROB, password, HOME)).toBe('OK');
      const alerts = await stack.app.alerts.list(SYSTEM_PRINCIPAL, { open: true });
      expect(alerts.items.some((a) => a.type === 'account-locked' && a.userEmail === ROB)).toBe(true);
      expect((await stack.cli(['users', 'unlock', ROB])).code).toBe(0);
      expect(await imapLogin(dovecot!.imapPort, ROB, password, ELSEWHERE(12))).toBe('OK');
    },
  );

  it.skipIf(skip)(
    'after a reset the old password fails at IMAP and the new one works',
    { timeout: 150_000 },
    async () => {
      const old = password;
      password = await stack.setPassword(ROB);
      expect(await imapLogin(dovecot!.imapPort, ROB, old, HOME)).toContain('NO');
      expect(await imapLogin(dovecot!.imapPort, ROB, password, HOME)).toBe('OK');
    },
  );

  it.skipIf(skip)("through Postfix a restricted sender's client sees 550 5.1.8", { timeout: 150_000 }, async () => {
    await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, { limits: { externalPerHour: 1 }, action: 'restrict' });
    const { client, reply } = await submitAuth(postfix!, password);
    expect(reply).toMatch(/^235 /);
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
    expect(await client.command('RCPT TO:<one@fabrikam.com>')).toMatch(/^250 /);
    // Postfix wraps the action text in its own sentence, but keeps the code and our words.
    expect(await client.command('RCPT TO:<two@fabrikam.com>')).toBe(
      `550 5.1.8 <${ROB}>: Sender address rejected: Access denied, bad outbound sender`,
    );
    expect(await client.command('RCPT TO:<three@fabrikam.com>')).toBe(
      `550 5.1.8 <${ROB}>: Sender address rejected: Access denied, bad outbound sender`,
    );
    await client.quit();
    expect((await stack.cli(['restricted', 'unblock', ROB, '--yes'])).code).toBe(0);
  });

  it.skipIf(skip)(
    'with Sendwarden stopped Postfix answers 451 and IMAP refuses: nothing passes',
    { timeout: 150_000 },
    async () => {
      const { client, reply } = await submitAuth(postfix!, password);
      expect(reply).toMatch(/^235 /);
      expect(await client.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
      await stack.stop();
      expect(await client.command('RCPT TO:<late@fabrikam.com>')).toMatch(/^451 4\.3\.5 /);
      await client.quit();
      expect(await imapLogin(dovecot!.imapPort, ROB, password, HOME)).toContain('NO');
    },
  );
});

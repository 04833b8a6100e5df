/**
 * The cached sending state and the verified-credential cache never answer with a decision older
 * than a change the store has committed (issue 14). Two nodes share one store: on SQLite two
 * servers on one file (two connections) and the CLI as a third process; on PostgreSQL two
 * servers on one database. rob warms every cache first (AUTH, then a recipient), then a change
 * is made elsewhere and the very next command must see it: a policy change (the CLI, the other
 * node), a restriction and an unblock, a sign-in block and a password reset. A first design
 * trusted PostgreSQL NOTIFY alone and lost this race in this very test (the RCPT reached the
 * other node before the notification did); the node now checks the audit head first.
 *
 * Fakes: none (real sockets, real SQLite file, real PostgreSQL, the CLI as a child process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, makeTempDir } from '../support/db.js';
import { HAS_POSTGRES } from '../support/services.js';
import { PolicyClient } from '../support/policy-client.js';
import { SmtpTestClient } from '../support/smtp-client.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const TOO_MANY = /^452 /;
const outside = (n: number) => `person${n}@fabrikam.com`;
const TIMEOUT = 120_000;

/** One Postfix policy request (RCPT, rob signed in) on a fresh connection; the action line. */
async function askPolicy(port: number, sender: string, recipient: string, login = ROB): Promise<string | null> {
  const client = await PolicyClient.connect(port);
  try {
    return await client.ask({
      request: 'smtpd_access_policy',
      protocol_state: 'RCPT',
      sasl_username: login,
      sender,
      recipient,
      client_address: '192.0.2.10',
      instance: Math.random().toString(16).slice(2),
    });
  } finally {
    client.destroy();
  }
}

interface Nodes {
  readonly a: Stack;
  readonly b: Stack;
}

function scenarios(nodes: () => Nodes, clients: SmtpTestClient[]): void {
  async function signedIn(node: Stack, password: string): Promise<SmtpTestClient> {
    const client = await SmtpTestClient.connect(node.smtpPort);
    clients.push(client);
    expect(await client.signIn(ROB, password)).toMatch(/^235 /);
    return client;
  }

  it(
    'a policy change from the CLI and from the other node applies at the very next RCPT',
    { timeout: TIMEOUT },
    async () => {
      const { a, b } = nodes();
      await b.app.policyAdmin.update(SYSTEM_PRINCIPAL, {
        limits: { recipientsPerMessage: 100, externalPerHour: 1000 },
        action: 'restrict',
      });
      const password = await a.setPassword(ROB);
      const onA = await signedIn(a, password);
      expect(await onA.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
      expect(await onA.command(`RCPT TO:<${outside(1)}>`)).toMatch(/^250 /);
      expect(await onA.command(`RCPT TO:<${outside(2)}>`)).toMatch(/^250 /);

      // Another process: the CLI child, on the same store.
      const set = await a.cli(['policy', 'set', '--recipients-per-message', '2']);
      expect(set.stderr).toBe('');
      expect(set.code).toBe(0);
      expect(await onA.command(`RCPT TO:<${outside(3)}>`)).toMatch(TOO_MANY);

      // The other node.
      await b.app.policyAdmin.update(SYSTEM_PRINCIPAL, { limits: { recipientsPerMessage: 100 } });
      expect(await onA.command(`RCPT TO:<${outside(3)}>`)).toMatch(/^250 /);
      await b.app.policyAdmin.update(SYSTEM_PRINCIPAL, { limits: { recipientsPerMessage: 3 } });
      expect(await onA.command(`RCPT TO:<${outside(4)}>`)).toMatch(TOO_MANY);
      await b.app.policyAdmin.update(SYSTEM_PRINCIPAL, { limits: { recipientsPerMessage: 100 } });
      await onA.command('RSET');
      await onA.quit();
    },
  );

  it('a restriction on A and an unblock on B apply at once on the other node', { timeout: TIMEOUT }, async () => {
    const { a, b } = nodes();
    const password = await a.setPassword(ROB);
    const onA = await signedIn(a, password);
    const onB = await signedIn(b, password);
    expect(await onB.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
    expect(await onB.command(`RCPT TO:<${outside(10)}>`)).toMatch(/^250 /);

    const user = await a.app.directory.getUser(SYSTEM_PRINCIPAL, ROB);
    await a.app.restrictions.restrictUser({
      userId: user.id,
      kind: 'until-unblocked',
      evidence: { rule: 'external-per-hour', summary: 'set by the test', counts: {}, limit: 1 },
    });
    expect(await onB.command(`RCPT TO:<${outside(11)}>`)).toBe(RESTRICTED);

    const { secret: token } = await a.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'security-admin' });
    const unblock = await b.http('POST', `/api/v1/restricted-users/${ROB}/unblock`, { token, body: { confirm: true } });
    expect(unblock.status).toBe(200);
    expect(await onA.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
    expect(await onA.command(`RCPT TO:<${outside(12)}>`)).toMatch(/^250 /);
    // And from the CLI, a third process: restricted on B, unblocked by the CLI, sent on B at once.
    await b.app.restrictions.restrictUser({
      userId: user.id,
      kind: 'until-unblocked',
      evidence: { rule: 'external-per-hour', summary: 'set by the test', counts: {}, limit: 1 },
    });
    expect(await onA.command(`RCPT TO:<${outside(13)}>`)).toBe(RESTRICTED);
    const cli = await a.cli(['restricted', 'unblock', ROB, '--yes']);
    expect(cli.code).toBe(0);
    expect(await onA.command(`RCPT TO:<${outside(14)}>`)).toMatch(/^250 /);
    await onA.command('RSET');
    await onB.command('RSET');
    await onA.quit();
    await onB.quit();
  });

  it(
    'the policy service on A sees a sign-in block from the CLI and from A, and a new alias from B, at its very next request',
    { timeout: TIMEOUT },
    async () => {
      const { a, b } = nodes();
      const port = a.servers.policyPort!;
      const ALIAS = 'rob.outbound@contoso.com';
      // Both answers are now kept by A (the sender by login, and the sending state).
      expect(await askPolicy(port, ROB, outside(20))).toBe('action=DUNNO');
      expect(await askPolicy(port, ALIAS, outside(21))).toMatch(/^action=550 5\.7\.60 /);

      const blocked = await a.cli(['users', 'block-sign-in', ROB]);
      expect(blocked.code).toBe(0);
      expect(await askPolicy(port, ROB, outside(22))).toMatch(/^action=535 5\.7\.8 /);
      const allowed = await a.cli(['users', 'allow-sign-in', ROB]);
      expect(allowed.code).toBe(0);
      expect(await askPolicy(port, ROB, outside(23))).toBe('action=DUNNO');
      // And on A itself: a write of this process, which the store's change signal does not report.
      await a.app.directory.setSignInStatus(SYSTEM_PRINCIPAL, ROB, true);
      expect(await askPolicy(port, ROB, outside(27))).toMatch(/^action=535 5\.7\.8 /);
      await a.app.directory.setSignInStatus(SYSTEM_PRINCIPAL, ROB, false);
      expect(await askPolicy(port, ROB, outside(28))).toBe('action=DUNNO');

      const rob = await b.app.directory.getUser(SYSTEM_PRINCIPAL, ROB);
      await b.app.directory.updateUser(SYSTEM_PRINCIPAL, ROB, { aliases: [...rob.aliases, ALIAS] });
      expect(await askPolicy(port, ALIAS, outside(24))).toBe('action=DUNNO');
      // The alias is a login too, and it names rob.
      expect(await askPolicy(port, ALIAS, outside(25), ALIAS)).toBe('action=DUNNO');
      await b.app.directory.updateUser(SYSTEM_PRINCIPAL, ROB, { aliases: rob.aliases });
      expect(await askPolicy(port, ALIAS, outside(26))).toMatch(/^action=550 5\.7\.60 /);
    },
  );

  it(
    'a restriction and an unblock made on the node itself apply at its next command, and leave the other users alone',
    { timeout: TIMEOUT },
    async () => {
      const { a } = nodes();
      const MEGAN = 'megan@contoso.com';
      const password = await a.setPassword(ROB);
      const rob = await signedIn(a, password);
      const megan = await SmtpTestClient.connect(a.smtpPort);
      clients.push(megan);
      expect(await megan.signIn(MEGAN, await a.setPassword(MEGAN))).toMatch(/^235 /);
      // Both warm: their sending state is now kept on A.
      expect(await rob.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250 /);
      expect(await rob.command(`RCPT TO:<${outside(30)}>`)).toMatch(/^250 /);
      expect(await megan.command(`MAIL FROM:<${MEGAN}>`)).toMatch(/^250 /);
      expect(await megan.command(`RCPT TO:<${outside(31)}>`)).toMatch(/^250 /);
      expect(await askPolicy(a.servers.policyPort!, ROB, outside(32))).toBe('action=DUNNO');

      const user = await a.app.directory.getUser(SYSTEM_PRINCIPAL, ROB);
      await a.app.restrictions.restrictUser({
        userId: user.id,
        kind: 'until-unblocked',
        evidence: { rule: 'external-per-hour', summary: 'set by the test', counts: {}, limit: 1 },
      });
      expect(await rob.command(`RCPT TO:<${outside(33)}>`)).toBe(RESTRICTED);
      expect(await askPolicy(a.servers.policyPort!, ROB, outside(34))).toBe(`action=${RESTRICTED}`);
      expect(await megan.command(`RCPT TO:<${outside(35)}>`)).toMatch(/^250 /);

      const { secret: token } = await a.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'security-admin' });
      const unblock = await a.http('POST', `/api/v1/restricted-users/${ROB}/unblock`, {
        token,
        body: { confirm: true },
      });
      expect(unblock.status).toBe(200);
      expect(await askPolicy(a.servers.policyPort!, ROB, outside(36))).toBe('action=DUNNO');
      expect(await rob.command(`RCPT TO:<${outside(37)}>`)).toMatch(/^250 /);
      expect(await megan.command(`RCPT TO:<${outside(38)}>`)).toMatch(/^250 /);
      for (const c of [rob, megan]) {
        await c.command('RSET');
        await c.quit();
      }
    },
  );

  it(
    'a sign-in block and a password reset on B apply at once to AUTH on A (credential cache)',
    { timeout: TIMEOUT },
    async () => {
      const { a, b } = nodes();
      const password = await a.setPassword(ROB);
      // Twice: the second AUTH is answered from the credential cache.
      await (await signedIn(a, password)).quit();
      await (await signedIn(a, password)).quit();

      await b.app.directory.setSignInStatus(SYSTEM_PRINCIPAL, ROB, true);
      const blocked = await SmtpTestClient.connect(a.smtpPort);
      clients.push(blocked);
      expect(await blocked.signIn(ROB, password)).toMatch(/^535 /);
      await b.app.directory.setSignInStatus(SYSTEM_PRINCIPAL, ROB, false);
      await (await signedIn(a, password)).quit();

      const fresh = await b.setPassword(ROB);
      const old = await SmtpTestClient.connect(a.smtpPort);
      clients.push(old);
      expect(await old.signIn(ROB, password)).toMatch(/^535 /);
      await (await signedIn(a, fresh)).quit();
    },
  );
}

describe('SQLite: two servers on one file, and the CLI', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>> | undefined;
  let a: Stack | undefined;
  let b: Stack | undefined;
  const clients: SmtpTestClient[] = [];

  beforeAll(async () => {
    dir = await makeTempDir();
    a = await startStack({ demo: true, dataDir: dir.dir, env: { SENDWARDEN_POLICY_PORT: '0' } });
    b = await startStack({ dataDir: dir.dir });
  }, TIMEOUT);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await b?.stop();
    await a?.stop();
    await dir?.remove();
  });

  scenarios(() => ({ a: a!, b: b! }), clients);
});

describe.skipIf(!HAS_POSTGRES)('PostgreSQL: two servers on one database', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  let a: Stack | undefined;
  let b: Stack | undefined;
  const clients: SmtpTestClient[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url };
    a = await startStack({ demo: true, env: { ...env, SENDWARDEN_POLICY_PORT: '0' } });
    b = await startStack({ env });
  }, TIMEOUT);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await b?.stop();
    await a?.stop();
    await database?.drop();
  });

  scenarios(() => ({ a: a!, b: b! }), clients);
});

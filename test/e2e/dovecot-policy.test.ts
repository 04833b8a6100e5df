/**
 * Dovecot's auth policy requests, as Dovecot 2.3 sends them (src/auth/auth-policy.c), over real
 * HTTP to a running node. If this fails, a user whose sign-in is blocked still reads mail over
 * IMAP, an attacker guesses passwords at Dovecot without limit, or anyone who can reach the port
 * can lock accounts out without the shared secret.
 *
 * Fakes: none. The node runs in this process (real SQLite, real HTTP, real argon2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOVECOT_POLICY_PATH, DOVECOT_SECRET_HEADER } from '../../src/adapters/http/routes/dovecot-policy.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const SECRET = 'dovecot-policy-secret-for-tests-0001';
const ROB = 'rob@contoso.com';
const MEGAN = 'megan@contoso.com';
const HOME = '192.0.2.10';
const ELSEWHERE = '198.51.100.7';

let stack: Stack;

interface Reply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

async function ask(
  command: string,
  body: unknown,
  options: { secret?: string | null; raw?: string } = {},
): Promise<Reply> {
  const secret = options.secret === undefined ? SECRET : options.secret;
  const res = await fetch(`${stack.httpUrl}${DOVECOT_POLICY_PATH}?command=${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === null ? {} : { [DOVECOT_SECRET_HEADER]: secret }) },
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const request = (login: string, remote: string, pwhash = 'abc0') => ({
  login,
  pwhash,
  remote,
  protocol: 'imap',
  session_id: 'x1',
  tls: false,
});
const failure = (login: string, remote: string, pwhash: string) => ({
  ...request(login, remote, pwhash),
  success: false,
  policy_reject: false,
});
const success = (login: string, remote: string) => ({ ...request(login, remote), success: true, policy_reject: false });

async function lockout(email: string) {
  return (await stack.app.store.stores.users.findByAddress(email))!.lockout;
}

beforeAll(async () => {
  stack = await startStack({ env: { SENDWARDEN_DOVECOT_POLICY_SECRET: SECRET } });
  await stack.addUser(ROB, { name: 'Rob Young' });
  await stack.addUser(MEGAN, { name: 'Megan Bowen' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('Dovecot auth policy endpoint', () => {
  it('refuses a request without the secret or with a wrong one, and counts nothing', async () => {
    for (const secret of [null, 'wrong-secret-wrong-secret', `${SECRET}x`, '']) {
      const reply = await ask('report', failure(ROB, ELSEWHERE, `f${secret?.length}`), { secret });
      expect(reply.status).toBe(401);
      expect(reply.json.error.code).toBe('UNAUTHENTICATED');
    }
    // Even malformed JSON gets 401, not 400: the secret is checked before the body is read.
    expect((await ask('report', undefined, { secret: null, raw: '{"login":' })).status).toBe(401);
    expect((await lockout(ROB)).unfamiliar.failures).toBe(0);
  });

  it('answers malformed requests with 400 and a precise message, counting nothing', async () => {
    const broken = await ask('report', undefined, { raw: '{"login": "rob@contoso.com", ' });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('INVALID_INPUT');
    const badCommand = await ask('delete', request(ROB, ELSEWHERE));
    expect(badCommand.status).toBe(400);
    expect(badCommand.json.error.message).toContain('?command=allow');
    const badIp = await ask('report', { ...failure(ROB, 'not-an-ip', 'aa') });
    expect(badIp.status).toBe(400);
    expect(badIp.json.error.message).toContain('remote');
    const noVerdict = await ask('report', request(ROB, ELSEWHERE));
    expect(noVerdict.status).toBe(400);
    expect((await ask('report', [1, 2])).status).toBe(400);
    expect((await lockout(ROB)).unfamiliar.failures).toBe(0);
  });

  it('leaves unknown logins to the passdb: status 0, nothing stored', async () => {
    expect(await ask('allow', request('nobody@contoso.com', ELSEWHERE))).toEqual({ status: 200, json: { status: 0 } });
    expect(await ask('report', failure('nobody@contoso.com', ELSEWHERE, 'aa'))).toEqual({
      status: 200,
      json: { status: 0 },
    });
  });

  it('refuses a blocked sign-in at once and allows it again after allow-sign-in', async () => {
    expect((await ask('allow', request(ROB, HOME))).json).toEqual({ status: 0 });
    await stack.app.directory.setSignInStatus(SYSTEM_PRINCIPAL, ROB, true);
    expect((await ask('allow', request(ROB, HOME))).json).toEqual({ status: -1 });
    // Another user is not touched by rob's block.
    expect((await ask('allow', request(MEGAN, HOME))).json).toEqual({ status: 0 });
    await stack.app.directory.setSignInStatus(SYSTEM_PRINCIPAL, ROB, false);
    expect((await ask('allow', request(ROB, HOME))).json).toEqual({ status: 0 });
  });

  it('locks an unfamiliar place after 10 wrong passwords; retries of a recent one do not count; home still signs in', async () => {
    expect((await ask('report', success(ROB, HOME))).json).toEqual({ status: 0 });
    expect((await lockout(ROB)).familiarLocations).toContain('192.0.2.0/24');
    // The same wrong password three times counts once.
    for (let i = 0; i < 3; i++) await ask('report', failure(ROB, ELSEWHERE, 'aaaa'));
    expect((await lockout(ROB)).unfamiliar.failures).toBe(1);
    for (let n = 2; n <= 10; n++) {
      expect((await ask('allow', request(ROB, ELSEWHERE))).json).toEqual({ status: 0 });
      await ask('report', failure(ROB, ELSEWHERE, `bad${n.toString(16)}`));
    }
    expect((await ask('allow', request(ROB, ELSEWHERE))).json).toEqual({ status: -1 });
    expect((await ask('allow', request(ROB, HOME))).json).toEqual({ status: 0 });
    // A login Sendwarden refused carries no verdict and is not counted.
    await ask('report', { ...failure(ROB, ELSEWHERE, 'ffff'), policy_reject: true });
    const alerts = await stack.app.alerts.list(SYSTEM_PRINCIPAL, { open: true });
    expect(alerts.items.filter((a) => a.type === 'account-locked' && a.userEmail === ROB)).toHaveLength(1);
    const audit = await stack.app.audit.list(SYSTEM_PRINCIPAL, { action: 'user.locked-out' });
    expect(audit.items.filter((e) => e.target === `user:${ROB}`)).toHaveLength(1);
    await stack.app.directory.unlock(SYSTEM_PRINCIPAL, ROB);
    expect((await ask('allow', request(ROB, ELSEWHERE))).json).toEqual({ status: 0 });
  });

  it('takes a burst of 1,000 failures from one address: every answer clear, one lockout, no crash', async () => {
    const before = (await stack.app.audit.list(SYSTEM_PRINCIPAL, { action: 'user.locked-out' })).items.length;
    const replies: Reply[] = [];
    for (let batch = 0; batch < 40; batch++) {
      replies.push(
        ...(await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            ask('report', failure(MEGAN, ELSEWHERE, (batch * 25 + i).toString(16).padStart(4, '0'))),
          ),
        )),
      );
    }
    expect(replies.find((r) => r.status !== 200 || r.json.status !== 0)).toBeUndefined();
    const state = await lockout(MEGAN);
    expect(state.unfamiliar.lockouts).toBe(1);
    const after = (await stack.app.audit.list(SYSTEM_PRINCIPAL, { action: 'user.locked-out' })).items.length;
    expect(after - before).toBe(1);
    expect((await ask('allow', request(MEGAN, ELSEWHERE))).json).toEqual({ status: -1 });
    expect((await stack.http('GET', '/healthz')).status).toBe(200);
  });
});

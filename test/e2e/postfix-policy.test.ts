/**
 * The Postfix policy delegation service over real sockets, speaking the protocol Postfix's
 * check_policy_service speaks (name=value lines, an empty line, one `action=` reply each).
 * If these fail, a Postfix that delegates to Sendwarden lets a hijacked account keep sending,
 * refuses the real user after an unblock, or hangs or crashes on a broken client.
 *
 * Fakes: FakeClock (test/support/fake-clock.ts) and CollectingMailer (via coreServices);
 * RecordingLogger below; in "an exception in the guard" only, a guard that throws. The store
 * (a fresh SQLite file), the counters and every core service are real, wired by createCoreServices.
 */
import type { PolicyGuard } from '../../src/core/sending/submission-port.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnvelopeCache } from '../../src/adapters/postfix-policy/envelope-cache.js';
import { startPolicyServer, type PolicyServer } from '../../src/adapters/postfix-policy/policy-server.js';
import { GLOBAL_ADMIN, coreServices } from '../support/core-services.js';
import { withSqliteStore, type TestStore } from '../support/db.js';
import { FakeClock } from '../support/fake-clock.js';
import { encode, PolicyClient } from '../support/policy-client.js';

const ROB = 'rob@contoso.com';
const ROB_ALIAS = 'robert@contoso.com';
const MEGAN = 'megan@contoso.com';
const DUNNO = 'action=DUNNO';
const RESTRICTED = 'action=550 5.1.8 Access denied, bad outbound sender';
const NOT_OWN_SENDER = 'action=550 5.7.60 Client does not have permissions to send as this sender';
const TOO_MANY = 'action=452 4.5.3 Too many recipients';
const TEMPORARY = 'action=451 4.3.0 Temporary server error, try again later';
const outside = (n: number) => `person${n}@fabrikam.com`;

/** A pino-shaped logger that keeps what it was told. */
class RecordingLogger {
  readonly lines: { level: string; obj: object; msg?: string | undefined }[] = [];
  debug = (obj: object, msg?: string) => void this.lines.push({ level: 'debug', obj, msg });
  info = (obj: object, msg?: string) => void this.lines.push({ level: 'info', obj, msg });
  warn = (obj: object, msg?: string) => void this.lines.push({ level: 'warn', obj, msg });
  error = (obj: object, msg?: string) => void this.lines.push({ level: 'error', obj, msg });
  at(level: string) {
    return this.lines.filter((l) => l.level === level);
  }
}

let instanceCounter = 0;
/** The attributes of a RCPT request from rob's authenticated session, as Postfix 3.x sends them. */
function rcpt(recipient: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    request: 'smtpd_access_policy',
    protocol_state: 'RCPT',
    protocol_name: 'ESMTP',
    helo_name: 'laptop.contoso.com',
    queue_id: '',
    sender: ROB,
    recipient,
    recipient_count: '0',
    client_address: '192.0.2.10',
    client_name: 'unknown',
    reverse_client_name: 'unknown',
    instance: 'a1b2.5f0e1c2d.3',
    sasl_method: 'plain',
    sasl_username: ROB,
    sasl_sender: '',
    size: '0',
    ccert_subject: '',
    encryption_protocol: 'TLSv1.3',
    encryption_cipher: 'TLS_AES_256_GCM_SHA384',
    etrn_domain: '',
    stress: '',
    policy_context: '',
    server_address: '192.0.2.1',
    server_port: '587',
    ...over,
  };
}

const newInstance = () => `c0ffee.${(instanceCounter += 1)}.0`;

let t: TestStore;
let s: ReturnType<typeof coreServices>;
let logger: RecordingLogger;
let server: PolicyServer;
const clients: PolicyClient[] = [];

async function client(port = server.port): Promise<PolicyClient> {
  const c = await PolicyClient.connect(port);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await withSqliteStore();
  s = coreServices(t, new FakeClock());
  await s.directory.addUser(GLOBAL_ADMIN, { email: ROB, displayName: 'Rob Young', aliases: [ROB_ALIAS] });
  await s.directory.addUser(GLOBAL_ADMIN, { email: MEGAN, displayName: 'Megan Bowen' });
  logger = new RecordingLogger();
  server = await startPolicyServer(
    {
      findUser: (login) => t.store.stores.users.findByAddress(login.trim().toLowerCase()),
      guard: s.submission,
      logger,
      clock: s.clock,
    },
    { host: '127.0.0.1', port: 0, closeTimeoutMs: 1000 },
  );
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.close();
  await t?.cleanup();
});

beforeEach(async () => {
  // A fresh UTC day for each test: the previous test's windows are behind us, and so is its
  // unblock (after an unblock today, the same limit defers instead of restricting again).
  s.clock.advance(25 * 3_600_000);
  await s.policyAdmin.update(GLOBAL_ADMIN, {
    limits: { externalPerHour: 5, internalPerHour: 100, perDay: 1000, recipientsPerMessage: 500 },
    action: 'restrict',
    unblockCap: 1000,
  });
});

afterEach(async () => {
  for (const r of await s.restrictions.listRestricted(GLOBAL_ADMIN)) {
    await s.restrictions.unblock(GLOBAL_ADMIN, r.user.email, { confirm: true }).catch(() => undefined);
  }
});

describe('the sending limits through Postfix', () => {
  it('answers DUNNO to five external recipients and 550 5.1.8 to the 6th and later, on one connection', async () => {
    const c = await client();
    const instance = newInstance();
    const replies: (string | null)[] = [];
    for (let n = 1; n <= 7; n++) replies.push(await c.ask(rcpt(outside(n), { instance, recipient_count: `${n - 1}` })));
    expect(replies).toEqual([DUNNO, DUNNO, DUNNO, DUNNO, DUNNO, RESTRICTED, RESTRICTED]);

    const restricted = await s.restrictions.listRestricted(GLOBAL_ADMIN, 'rob');
    expect(restricted.map((r) => [r.user.email, r.restriction.evidence.rule])).toEqual([[ROB, 'external-per-hour']]);
    // A new message from the restricted user is refused at its first recipient.
    expect(await c.ask(rcpt(MEGAN, { instance: newInstance() }))).toBe(RESTRICTED);
  });

  it('applies an unblock to the very next request of an open connection', async () => {
    const c = await client();
    const instance = newInstance();
    for (let n = 1; n <= 5; n++) expect(await c.ask(rcpt(outside(n), { instance }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(6), { instance }))).toBe(RESTRICTED);

    await s.restrictions.unblock(GLOBAL_ADMIN, ROB, { confirm: true });
    expect(await c.ask(rcpt(outside(7), { instance: newInstance() }))).toBe(DUNNO);
  });

  it('refuses a user an admin restricted with 550 5.1.8, and lets them send after the unblock', async () => {
    const rob = await s.directory.getUser(GLOBAL_ADMIN, ROB);
    await s.restrictions.restrictUser({
      userId: rob.id,
      kind: 'until-unblocked',
      evidence: { rule: 'manual', summary: 'restricted by an admin', counts: {}, limit: 0 },
    });
    const c = await client();
    const instance = newInstance();
    expect(await c.ask(rcpt(MEGAN, { instance }))).toBe(RESTRICTED);
    await s.restrictions.unblock(GLOBAL_ADMIN, ROB, { confirm: true });
    // Same message: the refused sender is checked again, so the unblock applies at once.
    expect(await c.ask(rcpt(MEGAN, { instance }))).toBe(DUNNO);
  });

  it('refuses a sender that is not the user nor an alias with 550 5.7.60, and accepts the alias', async () => {
    const c = await client();
    expect(await c.ask(rcpt(outside(1), { instance: newInstance(), sender: 'ceo@contoso.com' }))).toBe(NOT_OWN_SENDER);
    expect(await c.ask(rcpt(outside(1), { instance: newInstance(), sender: '' }))).toBe(NOT_OWN_SENDER);
    expect(await c.ask(rcpt(outside(1), { instance: newInstance(), sender: ROB_ALIAS }))).toBe(DUNNO);
  });

  it('keeps the recipients of a message: the per-message cap gives 452 4.5.3, a repeat is not counted', async () => {
    await s.policyAdmin.update(GLOBAL_ADMIN, { limits: { recipientsPerMessage: 2 } });
    const c = await client();
    const instance = newInstance();
    expect(await c.ask(rcpt(MEGAN, { instance }))).toBe(DUNNO);
    expect(await c.ask(rcpt(MEGAN.toUpperCase(), { instance }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(1), { instance }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(2), { instance }))).toBe(TOO_MANY);
    // Another message starts with an empty envelope.
    expect(await c.ask(rcpt(outside(2), { instance: newInstance() }))).toBe(DUNNO);
    // Four external recipients counted (outside 1, 2 and the repeat counted once): the 5th passes, the 6th restricts.
    expect(await c.ask(rcpt(outside(3), { instance: newInstance() }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(4), { instance: newInstance() }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(5), { instance: newInstance() }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(6), { instance: newInstance() }))).toBe(RESTRICTED);
  });

  it('leaves unauthenticated mail, unknown users, DATA and END-OF-MESSAGE to Postfix (DUNNO), counting nothing', async () => {
    const c = await client();
    const instance = newInstance();
    for (let n = 1; n <= 8; n++) expect(await c.ask(rcpt(outside(n), { instance, sasl_username: '' }))).toBe(DUNNO);
    expect(await c.ask(rcpt(outside(1), { instance, sasl_username: 'nobody@contoso.com' }))).toBe(DUNNO);
    expect(logger.at('warn').some((l) => /does not know/.test(l.msg ?? ''))).toBe(true);
    for (const state of ['DATA', 'END-OF-MESSAGE', 'MAIL', 'CONNECT']) {
      expect(await c.ask(rcpt('', { instance, protocol_state: state }))).toBe(DUNNO);
    }
    // None of that was counted against rob: five external recipients still pass.
    for (let n = 1; n <= 5; n++) expect(await c.ask(rcpt(outside(n), { instance: newInstance() }))).toBe(DUNNO);
  });

  it('refuses a user whose sign-in an admin blocked', async () => {
    await s.directory.setSignInStatus(GLOBAL_ADMIN, MEGAN, true);
    const c = await client();
    expect(await c.ask(rcpt(outside(1), { instance: newInstance(), sasl_username: MEGAN, sender: MEGAN }))).toBe(
      'action=535 5.7.8 Authentication credentials invalid',
    );
    await s.directory.setSignInStatus(GLOBAL_ADMIN, MEGAN, false);
    expect(await c.ask(rcpt(outside(1), { instance: newInstance(), sasl_username: MEGAN, sender: MEGAN }))).toBe(DUNNO);
  });
});

describe('the protocol', () => {
  it('answers pipelined requests in order and ignores unknown attributes', async () => {
    const c = await client();
    const first = c.next();
    const second = c.next();
    const third = c.next();
    c.write(
      encode(rcpt(MEGAN, { instance: newInstance(), x_future_attribute: 'something new' })) +
        encode(rcpt(MEGAN, { instance: newInstance(), sender: 'ceo@contoso.com' })) +
        encode(rcpt(MEGAN, { instance: newInstance(), protocol_state: 'END-OF-MESSAGE' })),
    );
    expect([await first, await second, await third]).toEqual([DUNNO, NOT_OWN_SENDER, DUNNO]);
  });

  it('accepts a request split across many writes and CRLF line endings', async () => {
    const c = await client();
    const reply = c.next();
    const text = encode(rcpt(MEGAN, { instance: newInstance() })).replace(/\n/g, '\r\n');
    for (let i = 0; i < text.length; i += 7) c.write(text.slice(i, i + 7));
    expect(await reply).toBe(DUNNO);
  });

  const broken: [string, () => string | Buffer][] = [
    ['a line that is not name=value', () => 'request=smtpd_access_policy\nhello there\n\n'],
    ['a line over 2 KB', () => `request=smtpd_access_policy\nsender=${'a'.repeat(3000)}\n\n`],
    ['a line over 2 KB with no newline yet', () => 'x'.repeat(5000)],
    [
      'more than 100 attributes',
      () => encode(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`attr_${i}`, 'v']))),
    ],
    ['a request without request=', () => encode({ protocol_state: 'RCPT', recipient: MEGAN })],
    ['an unknown request type', () => encode({ request: 'delete_everything', protocol_state: 'RCPT' })],
    ['binary garbage', () => Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x0a])],
  ];
  for (const [what, payload] of broken) {
    it(`closes the connection on ${what}, logs why, and still serves the next client`, async () => {
      const before = logger.at('warn').length;
      const c = await client();
      const reply = c.next();
      c.write(payload());
      expect(await reply).toBeNull();
      await c.closed;
      expect(
        logger
          .at('warn')
          .slice(before)
          .map((l) => l.msg),
      ).toContain('Postfix policy client broke the protocol; closing the connection');
      const next = await client();
      expect(await next.ask(rcpt(MEGAN, { instance: newInstance() }))).toBe(DUNNO);
    });
  }

  it('survives a client that disconnects in the middle of a request', async () => {
    const c = await client();
    c.write('request=smtpd_access_policy\nprotocol_state=RCPT\nsender=rob@con');
    c.destroy();
    await c.closed;
    const again = await client();
    expect(await again.ask(rcpt(MEGAN, { instance: newInstance() }))).toBe(DUNNO);
  });

  it('answers a client that half-closes after its request, then closes', async () => {
    const c = await client();
    const reply = c.next();
    c.socket.end(encode(rcpt(MEGAN, { instance: newInstance() })));
    expect(await reply).toBe(DUNNO);
    await c.closed;
  });
});

describe('failures', () => {
  /** The real guard, with `before` run ahead of every recipient check (first recipient or later ones). */
  const guardWith = (before: (recipient: string) => Promise<void>): PolicyGuard => ({
    checkSender: (u, f, a) => s.submission.checkSender(u, f, a),
    checkRecipient: async (envelope, recipient) => {
      await before(recipient);
      return s.submission.checkRecipient(envelope, recipient);
    },
    checkFirstRecipient: async (envelope, recipient) => {
      await before(recipient);
      return s.submission.checkFirstRecipient(envelope, recipient);
    },
  });

  it('answers an exception in the guard with 451 4.3.0, logs it, and keeps serving', async () => {
    const failing = new RecordingLogger();
    const faulty = await startPolicyServer(
      {
        findUser: (login) => t.store.stores.users.findByAddress(login.trim().toLowerCase()),
        // Fault injection: the real guard, except that one recipient makes it throw.
        guard: guardWith(async (recipient) => {
          if (recipient === 'boom@fabrikam.com') throw new Error('store connection reset');
        }),
        logger: failing,
        clock: s.clock,
      },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const c = await client(faulty.port);
      const instance = newInstance();
      expect(await c.ask(rcpt('boom@fabrikam.com', { instance }))).toBe(TEMPORARY);
      expect(failing.at('error').map((l) => l.msg)).toEqual(['unexpected error in a Postfix policy request']);
      expect(JSON.stringify(failing.at('error')[0]!.obj)).not.toContain('rob-password');
      expect(await c.ask(rcpt(MEGAN, { instance }))).toBe(DUNNO);
    } finally {
      await faulty.close();
    }
  });

  it('answers a guard that does not answer in time with 451 4.3.0, then the next request with its own answer', async () => {
    const slow = new RecordingLogger();
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const hanging = await startPolicyServer(
      {
        findUser: (login) => t.store.stores.users.findByAddress(login.trim().toLowerCase()),
        // Fault injection: the real guard, except that one recipient waits until the test lets it go.
        guard: guardWith(async (recipient) => {
          if (recipient === 'slow@fabrikam.com') await stuck;
          if (recipient === 'never@fabrikam.com') await new Promise<void>(() => undefined);
        }),
        logger: slow,
        clock: s.clock,
      },
      { host: '127.0.0.1', port: 0, requestTimeoutMs: 300 },
    );
    try {
      const c = await client(hanging.port);
      expect(await c.ask(rcpt('slow@fabrikam.com', { instance: newInstance() }))).toBe(TEMPORARY);
      expect(slow.at('error').map((l) => l.msg)).toEqual(['a Postfix policy request timed out']);
      // The late answer is never written: the next request on the connection gets its own.
      release();
      expect(await c.ask(rcpt('megan@contoso.com', { instance: newInstance() }))).toBe(DUNNO);
      expect(await c.ask(rcpt('bad address', { instance: newInstance() }))).not.toBe(DUNNO);
      // Answers in time are not cut off by the timer armed for an earlier request.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await c.ask(rcpt('megan@contoso.com', { instance: newInstance() }))).toBe(DUNNO);
      expect(slow.at('error')).toHaveLength(1);
      // The connection's timer is re-armed for a later request that hangs too.
      expect(await c.ask(rcpt('never@fabrikam.com', { instance: newInstance() }))).toBe(TEMPORARY);
      expect(slow.at('error')).toHaveLength(2);
    } finally {
      await hanging.close();
    }
  });

  it('answers a store that has gone away with 451 4.3.0 instead of crashing', async () => {
    const gone = await withSqliteStore();
    const services = coreServices(gone, s.clock);
    await services.directory.addUser(GLOBAL_ADMIN, { email: ROB, displayName: 'Rob Young' });
    const quiet = new RecordingLogger();
    const policy = await startPolicyServer(
      {
        findUser: (login) => gone.store.stores.users.findByAddress(login.trim().toLowerCase()),
        guard: services.submission,
        logger: quiet,
        clock: s.clock,
      },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const c = await client(policy.port);
      expect(await c.ask(rcpt(MEGAN, { instance: newInstance() }))).toBe(DUNNO);
      await gone.store.close();
      expect(await c.ask(rcpt(MEGAN, { instance: newInstance() }))).toBe(TEMPORARY);
    } finally {
      await policy.close();
      await gone.cleanup().catch(() => undefined);
    }
  });

  it('closes a connection that stays idle, and close() ends open connections', async () => {
    const idle = await startPolicyServer(
      { findUser: async () => undefined, guard: s.submission, logger: new RecordingLogger(), clock: s.clock },
      { host: '127.0.0.1', port: 0, idleTimeoutMs: 100 },
    );
    const c = await client(idle.port);
    c.write('request=smtpd_access_policy\n');
    await c.closed;
    const open = await client(idle.port);
    expect(await open.ask(rcpt(MEGAN, { instance: newInstance() }))).toBe(DUNNO);
    await idle.close();
    await open.closed;
  });
});

describe('EnvelopeCache', () => {
  const envelope = (userId: string) => ({ userId, mailFrom: '', isSenderAccepted: false, accepted: [] });

  it('forgets a message ten minutes after its last request', () => {
    const clock = new FakeClock();
    const cache = new EnvelopeCache({ ttlMs: 600_000, maxEntries: 10, clock });
    cache.set('a', envelope('u1'));
    clock.advance(599_000);
    expect(cache.get('a')?.userId).toBe('u1');
    clock.advance(599_000);
    expect(cache.get('a')?.userId).toBe('u1');
    clock.advance(600_000);
    expect(cache.get('a')).toBeUndefined();
  });

  it('never holds more than its cap, and a message in use survives a flood of others', () => {
    const cache = new EnvelopeCache({ ttlMs: 600_000, maxEntries: 4, clock: new FakeClock() });
    cache.set('busy', envelope('busy'));
    for (let i = 0; i < 1000; i++) {
      cache.set(`k${i}`, envelope('x'));
      expect(cache.size).toBeLessThanOrEqual(4);
      // The open message's next RCPT keeps it among the recently used half.
      expect(cache.get('busy')?.userId).toBe('busy');
    }
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k999')?.userId).toBe('x');
    cache.delete('busy');
    expect(cache.get('busy')).toBeUndefined();
  });
});

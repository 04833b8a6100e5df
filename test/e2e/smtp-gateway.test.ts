/**
 * The submission gateway over real sockets: STARTTLS, AUTH, every refusal of contract.md's
 * "SMTP answers" table, size and line-ending defences, pipelining, and a real next hop
 * (smtp-server sink behind SmtpRelay, the exact bytes on its socket included).
 *
 * Fakes (test/support/smtp-fakes.ts): FakeSignIn for `authenticate`, FakeGuard for the
 * SubmissionGuard, FakeClock, MessageLog for `recordMessage`, TestLogger.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmtpRelay } from '../../src/adapters/relay/smtp-relay.js';
import { hasBareLineEnding } from '../../src/adapters/smtp/data.js';
import { startSmtpGateway, type SmtpGateway } from '../../src/adapters/smtp/smtp-gateway.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeGuard, FakeSignIn, MessageLog, PASSWORD, TestLogger } from '../support/smtp-fakes.js';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const ROB = 'rob@contoso.com';
const MAX_BYTES = 64 * 1024;

let dataDir: string;
let sink: SmtpSink;
let relay: SmtpRelay;
let gateway: SmtpGateway;
let signIn: FakeSignIn;
let guard: FakeGuard;
let log: MessageLog;
let logger: TestLogger;
const clients: SmtpTestClient[] = [];

async function connect(options: { implicitTls?: boolean; ca?: string } = {}): Promise<SmtpTestClient> {
  const client = await SmtpTestClient.connect(options.implicitTls ? gateway.smtpsPort! : gateway.port, options);
  clients.push(client);
  return client;
}

async function signedIn(login = ROB): Promise<SmtpTestClient> {
  const client = await connect();
  expect(await client.signIn(login, PASSWORD)).toBe('235 Authentication successful');
  return client;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sw-smtp-'));
  sink = await startSmtpSink();
  relay = new SmtpRelay({ url: sink.url, socketTimeoutMs: 5000 });
  signIn = new FakeSignIn();
  guard = new FakeGuard();
  log = new MessageLog();
  logger = new TestLogger();
  gateway = await startSmtpGateway(
    { authenticate: signIn.authenticate, guard, relay, recordMessage: log.record, logger, clock: new FakeClock() },
    {
      host: '127.0.0.1',
      port: 0,
      smtpsPort: 0,
      dataDir,
      hostname: 'localhost',
      maxMessageBytes: MAX_BYTES,
      closeTimeoutMs: 1000,
      // The clients of this file stay open until afterAll, all from 127.0.0.1.
      maxClientsPerIp: 1000,
    },
  );
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await gateway?.close();
  await relay?.close();
  await sink?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  guard.restricted.clear();
  guard.maxRecipients = 3;
});

describe('TLS and AUTH', () => {
  it('creates a key (mode 0600) and certificate once, and a client can verify STARTTLS with it', async () => {
    const keyMode = (await stat(join(dataDir, 'tls', 'key.pem'))).mode & 0o777;
    expect(keyMode).toBe(0o600);
    const ca = await readFile(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const client = await connect();
    expect(client.greeting).toMatch(/^220 localhost ESMTP/);
    const ehlo = await client.ehlo();
    // No password may be invited in the clear: AUTH only appears after STARTTLS.
    expect(ehlo).toContain('STARTTLS');
    expect(ehlo).not.toContain('AUTH');
    expect(await client.startTls(ca)).toMatch(/^220/);
    const secureEhlo = await client.ehlo();
    expect(secureEhlo).toContain('AUTH PLAIN LOGIN');
    expect(secureEhlo).not.toContain('STARTTLS');
    expect(await client.authPlain(ROB, PASSWORD)).toBe('235 Authentication successful');
  });

  it('accepts AUTH LOGIN after STARTTLS', async () => {
    const client = await connect();
    await client.ehlo();
    await client.startTls();
    await client.ehlo();
    expect(await client.authLogin(ROB, PASSWORD)).toBe('235 Authentication successful');
  });

  it('refuses AUTH before TLS without asking the sign-in service', async () => {
    const before = signIn.attempts.length;
    const client = await connect();
    await client.ehlo();
    const reply = await client.authPlain(ROB, PASSWORD);
    expect(reply).toMatch(/^5/);
    expect(signIn.attempts.length).toBe(before);
  });

  it('answers MAIL before AUTH with 530 5.7.0, before and after TLS', async () => {
    const client = await connect();
    await client.ehlo();
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toBe('530 5.7.0 Authentication required');
    await client.startTls();
    await client.ehlo();
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toBe('530 5.7.0 Authentication required');
  });

  it('answers a wrong password or blocked sign-in with 535 5.7.8', async () => {
    const client = await connect();
    expect(await client.signIn(ROB, 'wrong password')).toBe('535 5.7.8 Authentication credentials invalid');
    expect(await client.authPlain('blocked@contoso.com', PASSWORD)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
    expect(await client.authLogin('nobody@contoso.com', PASSWORD)).toBe('535 5.7.8 Authentication credentials invalid');
    expect(signIn.attempts.at(-1)?.clientAddress).toBe('127.0.0.1');
  });

  it('answers a locked-out account with 454 4.7.0', async () => {
    const client = await connect();
    expect(await client.signIn('locked@contoso.com', PASSWORD)).toBe(
      '454 4.7.0 Account temporarily locked, try again later',
    );
  });

  it('answers a store outage with 451 4.3.0, logs the unexpected error, and keeps serving', async () => {
    const client = await connect();
    expect(await client.signIn('store-down@contoso.com', PASSWORD)).toBe(
      '451 4.3.0 Temporary server error, try again later',
    );
    const errorsBefore = logger.errors.length;
    expect(await client.authPlain('outage@contoso.com', PASSWORD)).toBe(
      '451 4.3.0 Temporary server error, try again later',
    );
    expect(logger.errors.length).toBe(errorsBefore + 1);
    // Never a stack trace to the client, and the same session still signs in.
    expect(await client.authPlain(ROB, PASSWORD)).toBe('235 Authentication successful');
  });

  it('offers implicit TLS on the smtps port', async () => {
    const client = await connect({ implicitTls: true });
    const ehlo = await client.ehlo();
    expect(ehlo).toContain('AUTH PLAIN LOGIN');
    expect(ehlo).not.toContain('STARTTLS');
    expect(await client.authPlain(ROB, PASSWORD)).toBe('235 Authentication successful');
  });
});

describe('envelope checks', () => {
  it('refuses a MAIL FROM that is not the user or an alias with 550 5.7.60, accepts the alias', async () => {
    const client = await signedIn();
    expect(await client.command('MAIL FROM:<ceo@contoso.com>')).toBe(
      '550 5.7.60 Client does not have permissions to send as this sender',
    );
    expect(await client.command('MAIL FROM:<>')).toBe(
      '550 5.7.60 Client does not have permissions to send as this sender',
    );
    expect(await client.command('MAIL FROM:<robert@contoso.com>')).toMatch(/^250/);
    const refused = log.records.filter((r) => r.reasonCode === 'SENDER_NOT_ALLOWED' && r.sender === 'ceo@contoso.com');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.outcome).toBe('rejected');
  });

  it('refuses a restricted sender with 550 5.1.8', async () => {
    const client = await signedIn('megan@contoso.com');
    guard.restricted.add('user-megan');
    expect(await client.command('MAIL FROM:<megan@contoso.com>')).toBe('550 5.1.8 Access denied, bad outbound sender');
  });

  it('defers the recipient past the per-message cap with 452 4.5.3 and relays to the others only', async () => {
    const client = await signedIn();
    const to = ['a@fabrikam.com', 'b@fabrikam.com', 'c@contoso.com', 'd@fabrikam.com'];
    const before = sink.messages.length;
    const result = await client.sendMail(ROB, to, simpleMessage(ROB, to, 'cap'));
    expect(result.rcpt.slice(0, 3).every((r) => r.startsWith('250'))).toBe(true);
    expect(result.rcpt[3]).toBe('452 4.5.3 Too many recipients');
    expect(result.final).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(sink.messages.length).toBe(before + 1);
    expect(sink.messages.at(-1)?.to).toEqual(['a@fabrikam.com', 'b@fabrikam.com', 'c@contoso.com']);
    const record = log.records.at(-1)!;
    expect(record).toMatchObject({
      outcome: 'relayed',
      recipientsInternal: 1,
      recipientsExternal: 2,
      recipientsRefused: 1,
      subject: 'cap',
      userId: 'user-rob',
    });
    expect(record.nextHopReply).toMatch(/^250 /);
  });

  it('restricts at the recipient that crosses the limit: that RCPT and all later ones get 550 5.1.8', async () => {
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250/);
    expect(await client.command('RCPT TO:<ok@fabrikam.com>')).toMatch(/^250/);
    expect(await client.command('RCPT TO:<trip-restrict@fabrikam.com>')).toBe(
      '550 5.1.8 Access denied, bad outbound sender',
    );
    expect(await client.command('RCPT TO:<later@fabrikam.com>')).toBe('550 5.1.8 Access denied, bad outbound sender');
    await client.command('RSET');
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toBe('550 5.1.8 Access denied, bad outbound sender');
    const abandoned = log.records.find((r) => r.reasonCode === 'SENDER_RESTRICTED' && r.recipientsRefused === 2);
    expect(abandoned).toBeDefined();
  });

  it('answers a bug in the guard with 451 4.3.0 and keeps the session usable', async () => {
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toMatch(/^250/);
    expect(await client.command('RCPT TO:<guard-bug@fabrikam.com>')).toBe(
      '451 4.3.0 Temporary server error, try again later',
    );
    expect(await client.command('RCPT TO:<fine@fabrikam.com>')).toMatch(/^250/);
    expect(await client.command('RSET')).toMatch(/^250/);
  });

  it('answers an unknown command with 500 and carries on', async () => {
    const client = await signedIn();
    expect(await client.command('XYZZY')).toMatch(/^500 /);
    expect(await client.command('NOOP')).toMatch(/^250/);
  });
});

describe('DATA', () => {
  it('refuses a message over the size limit with 552 5.3.4 and relays nothing', async () => {
    const client = await signedIn();
    const before = sink.messages.length;
    const big = simpleMessage(
      ROB,
      ['x@fabrikam.com'],
      'big',
      'y'
        .repeat(76)
        .concat('\r\n')
        .repeat(Math.ceil((MAX_BYTES * 1.5) / 78)),
    );
    const result = await client.sendMail(ROB, ['x@fabrikam.com'], big);
    expect(result.final).toBe('552 5.3.4 Message size exceeds fixed limit');
    // A declared SIZE over the limit is refused up front.
    expect(await client.command(`MAIL FROM:<${ROB}> SIZE=${MAX_BYTES * 10}`)).toBe(
      '552 5.3.4 Message size exceeds fixed limit',
    );
    // The session goes on and a normal message still goes through.
    const small = await client.sendMail(ROB, ['x@fabrikam.com'], simpleMessage(ROB, ['x@fabrikam.com'], 'small'));
    expect(small.final).toMatch(/^250 /);
    expect(sink.messages.length).toBe(before + 1);
    expect(log.records.some((r) => r.reasonCode === 'MESSAGE_TOO_LARGE' && r.outcome === 'rejected')).toBe(true);
  });

  it('refuses a bare LF and relays nothing', async () => {
    const client = await signedIn();
    const before = sink.messages.length;
    await client.command(`MAIL FROM:<${ROB}>`);
    await client.command('RCPT TO:<x@fabrikam.com>');
    expect(await client.command('DATA')).toMatch(/^354/);
    client.write('Subject: bare\r\n\r\nfirst line\nsecond line\r\n.\r\n');
    expect(await client.read()).toBe('550 5.6.11 Bare CR or LF line endings are not accepted');
    expect(sink.messages.length).toBe(before);
  });

  it('makes SMTP smuggling impossible: <LF>.<LF> and <CR>.<CR> inside DATA are refused, nothing after them runs', async () => {
    const client = await signedIn();
    const before = sink.messages.length;
    for (const fakeEnd of ['\n.\n', '\r\n.\n', '\n.\r\n', '\r.\r']) {
      await client.command(`MAIL FROM:<${ROB}>`);
      await client.command('RCPT TO:<x@fabrikam.com>');
      expect(await client.command('DATA')).toMatch(/^354/);
      client.write(
        `Subject: innocent\r\n\r\nhello${fakeEnd}MAIL FROM:<ceo@contoso.com>\r\nRCPT TO:<victim@fabrikam.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n`,
      );
      // Exactly one reply for the whole DATA: the smuggled commands were message content.
      expect(await client.read()).toBe('550 5.6.11 Bare CR or LF line endings are not accepted');
      expect(await client.command('NOOP')).toMatch(/^250/);
    }
    expect(sink.messages.length).toBe(before);
    expect(sink.messages.some((m) => m.raw.toString().includes('smuggled'))).toBe(false);
  });

  it('detects bare line endings across chunk boundaries', () => {
    expect(hasBareLineEnding(Buffer.from('ok\r'), -1)).toBe(false);
    expect(hasBareLineEnding(Buffer.from('\nok\r\n'), 0x0d)).toBe(false);
    expect(hasBareLineEnding(Buffer.from('x'), 0x0d)).toBe(true);
    expect(hasBareLineEnding(Buffer.from('\nx'), 0x41)).toBe(true);
    expect(hasBareLineEnding(Buffer.from('a\rb'), -1)).toBe(true);
  });

  it('gives the guard the facts of the parsed message (links, attachments, external recipients)', async () => {
    const client = await signedIn();
    const to = ['a@fabrikam.com', 'b@contoso.com'];
    const mime = [
      `From: Rob Young <${ROB}>`,
      'Reply-To: <elsewhere@fabrikam.com>',
      'To: <a@fabrikam.com>',
      'Subject: =?utf-8?q?Factur=C3=A9?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Pay <a href="https://pay.example.net/now">here</a></p>',
      '--b1',
      'Content-Type: application/pdf; name="invoice.pdf"',
      'Content-Disposition: attachment; filename="invoice.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 test').toString('base64'),
      '--b1--',
    ].join('\r\n');
    expect((await client.sendMail(ROB, to, mime)).final).toMatch(/^250 /);
    const facts = guard.lastFacts!;
    expect(facts).toMatchObject({
      sender: ROB,
      recipients: to,
      externalRecipients: 1,
      subject: 'Facturé',
      replyTo: 'elsewhere@fabrikam.com',
    });
    expect(facts.fromHeader).toContain(ROB);
    expect(facts.links).toContain('https://pay.example.net/now');
    expect(facts.text).toContain('Pay');
    expect(facts.attachments).toEqual([{ filename: 'invoice.pdf', contentType: 'application/pdf', size: 13 }]);
    expect(facts.bodyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses spam with 550 5.7.1, relays nothing, and logs the score', async () => {
    const client = await signedIn();
    const before = sink.messages.length;
    const result = await client.sendMail(
      ROB,
      ['x@fabrikam.com'],
      simpleMessage(ROB, ['x@fabrikam.com'], 'cheap SPAM here'),
    );
    expect(result.final).toBe('550 5.7.1 Message refused as spam');
    expect(sink.messages.length).toBe(before);
    expect(log.records.at(-1)).toMatchObject({
      outcome: 'rejected',
      reasonCode: 'SPAM_DETECTED',
      isSpam: true,
      spamScore: 12,
    });
  });

  it('relays nothing when the client disconnects mid-DATA, and keeps serving', async () => {
    const quitter = await signedIn();
    const before = sink.messages.length;
    await quitter.command(`MAIL FROM:<${ROB}>`);
    await quitter.command('RCPT TO:<x@fabrikam.com>');
    expect(await quitter.command('DATA')).toMatch(/^354/);
    quitter.write('Subject: half\r\n\r\nthe first half of a message\r\n');
    quitter.destroy();
    await quitter.closed;
    const client = await signedIn();
    const result = await client.sendMail(
      ROB,
      ['x@fabrikam.com'],
      simpleMessage(ROB, ['x@fabrikam.com'], 'after-quitter'),
    );
    expect(result.final).toMatch(/^250 /);
    expect(sink.messages.length).toBe(before + 1);
    expect(sink.messages.at(-1)?.raw.toString()).toContain('Subject: after-quitter');
  });
});

describe('what the next hop receives', () => {
  /** The bytes one connection to the sink sent between `DATA` and the end of data, for the message with `marker`. */
  function dataOnWire(marker: string): string {
    const wire = sink.wire().find((w) => w.includes(marker));
    if (wire === undefined) throw new Error(`no connection to the sink carried ${marker}`);
    const start = wire.lastIndexOf('DATA\r\n', wire.indexOf(marker)) + 'DATA\r\n'.length;
    const end = wire.indexOf('\r\n.\r\n', start) + '\r\n.\r\n'.length;
    return wire.subarray(start, end).toString('utf8');
  }

  function traceLines(final: string | undefined, { hasIdAndDate }: { hasIdAndDate: boolean }): string {
    const id = /queued as (\S+)$/.exec(final ?? '')?.[1] ?? 'no id in the reply';
    const date = 'Sun, 22 Nov 2026 10:00:00 +0000';
    const received = `Received: by localhost (Sendwarden) with ESMTPSA id ${id};\r\n\t${date}\r\n`;
    return hasIdAndDate ? received : `${received}Message-ID: <${id}@localhost>\r\nDate: ${date}\r\n`;
  }

  it("gets the trace lines, then the client's bytes unchanged, dot-stuffed exactly once on the wire", async () => {
    const client = await signedIn();
    // About 40 KB: smtp-server hands DATA over in several chunks, with dot lines on either side of their edges.
    const kinds = ['.', '..', '.leading dot', '...three', 'plain line', '', 'x.y', '. spaced'];
    const lines = ['From: <rob@contoso.com>', 'To: <x@fabrikam.com>', 'Subject: wire-exact', '', 'first'];
    for (let i = 0; i < 2_500; i++) lines.push(`${kinds[i % kinds.length]}${i % 3 === 0 ? '' : ` ${i}`}`);
    lines.push('.');
    const body = lines.join('\r\n');
    const result = await client.sendMail(ROB, ['x@fabrikam.com'], body);
    expect(result.final).toMatch(/^250 2\.0\.0 Ok: queued as /);
    // The client's message as the gateway read it (the test client adds the final CRLF).
    const message = `${traceLines(result.final, { hasIdAndDate: false })}${body}\r\n`;
    expect(sink.messages.at(-1)?.raw.toString('utf8')).toBe(message);
    expect(dataOnWire('Subject: wire-exact')).toBe(`${message.replace(/^\./gm, '..')}.\r\n`);
  });

  it('stuffs a dot that starts the client message, right after the trace lines', async () => {
    const client = await signedIn();
    const body = [
      '.X-Dotted: first line of the client message',
      'Message-ID: <dotted@test>',
      'Date: Tue, 01 Dec 2026 23:50:00 +0000',
      'Subject: wire-dot-first',
      '',
      '..',
      '.',
    ].join('\r\n');
    const result = await client.sendMail(ROB, ['x@fabrikam.com'], body);
    expect(result.final).toMatch(/^250 /);
    const message = `${traceLines(result.final, { hasIdAndDate: true })}${body}\r\n`;
    expect(sink.messages.at(-1)?.raw.toString('utf8')).toBe(message);
    expect(dataOnWire('Subject: wire-dot-first')).toBe(`${message.replace(/^\./gm, '..')}.\r\n`);
  });
});

describe('pipelining', () => {
  it('answers a pipelined transaction in order and relays it once', async () => {
    const client = await signedIn();
    const before = sink.messages.length;
    client.write(`MAIL FROM:<${ROB}>\r\nRCPT TO:<p1@fabrikam.com>\r\nRCPT TO:<p2@fabrikam.com>\r\nDATA\r\n`);
    expect(await client.read()).toMatch(/^250/);
    expect(await client.read()).toMatch(/^250/);
    expect(await client.read()).toMatch(/^250/);
    expect(await client.read()).toMatch(/^354/);
    expect(await client.sendData(simpleMessage(ROB, ['p1@fabrikam.com', 'p2@fabrikam.com'], 'pipelined'))).toMatch(
      /^250 /,
    );
    expect(sink.messages.length).toBe(before + 1);
  });

  it('does not take a pipelined body as a message when every recipient was refused', async () => {
    const client = await signedIn();
    const before = sink.messages.length;
    client.write(
      `MAIL FROM:<${ROB}>\r\nRCPT TO:<trip-restrict@fabrikam.com>\r\nDATA\r\nSubject: abuse\r\n\r\nbody\r\n.\r\n`,
    );
    expect(await client.read()).toMatch(/^250/);
    expect(await client.read()).toBe('550 5.1.8 Access denied, bad outbound sender');
    expect(await client.read()).toMatch(/^503 /);
    // The body lines arrive as commands and are refused one by one.
    expect(await client.read()).toMatch(/^5/);
    expect(sink.messages.length).toBe(before);
  });

  it('refuses a client that talks before the greeting', async () => {
    const net = await import('node:net');
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: gateway.port }, () => socket.write('EHLO early.test\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^421 /m);
  });
});

/**
 * Relay without loss: the client hears 250 only after the next hop accepted the message.
 * A refusing next hop's own 5xx reaches the client; a hanging or dead next hop gives
 * 451 4.4.1 within bounded time; killing the next hop mid-run loses nothing that got a 250.
 *
 * Fakes (test/support/smtp-fakes.ts): FakeSignIn for `authenticate`, FakeGuard for the
 * SubmissionGuard, FakeClock, MessageLog for `recordMessage`, TestLogger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SmtpRelay, type SmtpRelayOptions } from '../../src/adapters/relay/smtp-relay.js';
import { startSmtpGateway, type SmtpGateway } from '../../src/adapters/smtp/smtp-gateway.js';
import { loadOrCreateTls, type TlsMaterial } from '../../src/adapters/smtp/tls.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeGuard, FakeSignIn, MessageLog, PASSWORD, TestLogger } from '../support/smtp-fakes.js';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { startSmtpSink } from '../support/smtp-sink.js';

const ROB = 'rob@contoso.com';
const cleanups: (() => Promise<void> | void)[] = [];
let tlsDir: string;
let tls: TlsMaterial;

// One certificate for the whole file: generating an RSA key per test only costs time.
beforeAll(async () => {
  tlsDir = await mkdtemp(join(tmpdir(), 'sw-relay-tls-'));
  tls = await loadOrCreateTls(tlsDir, 'localhost');
});

afterAll(async () => {
  if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(
  relayOptions: Omit<SmtpRelayOptions, 'url'> & { url?: string },
  sinkOptions?: Parameters<typeof startSmtpSink>[0],
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sw-relay-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const sink = await startSmtpSink(sinkOptions);
  cleanups.push(() => sink.close());
  const relay = new SmtpRelay({ url: sink.url, ...relayOptions });
  cleanups.push(() => relay.close());
  const log = new MessageLog();
  const gateway: SmtpGateway = await startSmtpGateway(
    {
      authenticate: new FakeSignIn().authenticate,
      guard: new FakeGuard(),
      relay,
      recordMessage: log.record,
      logger: new TestLogger(),
      clock: new FakeClock(),
    },
    { host: '127.0.0.1', port: 0, dataDir, hostname: 'localhost', closeTimeoutMs: 500, tls },
  );
  cleanups.push(() => gateway.close());
  const client = await SmtpTestClient.connect(gateway.port);
  cleanups.push(() => client.destroy());
  expect(await client.signIn(ROB, PASSWORD)).toBe('235 Authentication successful');
  return { sink, relay, gateway, client, log };
}

function send(client: SmtpTestClient, subject: string, to = ['x@fabrikam.com']) {
  return client.sendMail(ROB, to, simpleMessage(ROB, to, subject));
}

/** The reply that ended the transaction: the next hop is now asked at MAIL and RCPT, so a dead one shows there. */
async function outcome(client: SmtpTestClient, subject: string): Promise<string | undefined> {
  const r = await send(client, subject);
  return r.final ?? r.data ?? (r.rcpt.find((l) => !l.startsWith('250')) || r.mail);
}

describe('next hop', () => {
  it('delivers to the next hop with AUTH from the relay URL', async () => {
    const { sink, client, log } = await setUp({}, { auth: { user: 'relay-user', pass: 'p@ss word' } });
    const result = await send(client, 'with-auth');
    expect(result.final).toMatch(/^250 2\.0\.0 Ok: queued as [0-9a-f-]{36}$/);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ from: ROB, to: ['x@fabrikam.com'] });
    expect(log.records.at(-1)?.nextHopReply).toContain('Ok: stored by sink');
  });

  it('delivers every byte over implicit TLS to the next hop (the message written in parts, dot lines and all)', async () => {
    const { sink, client } = await setUp({ rejectUnauthorized: false }, { tls });
    expect(sink.url).toMatch(/^smtps:/);
    const to = ['x@fabrikam.com'];
    const lines = Array.from({ length: 3_000 }, (_, i) => (i % 4 === 0 ? '.' : i % 4 === 1 ? `..${i}` : `line ${i}`));
    const body = simpleMessage(ROB, to, 'over-tls', lines.join('\r\n'));
    const result = await client.sendMail(ROB, to, body);
    expect(result.final).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const id = /queued as (\S+)$/.exec(result.final ?? '')?.[1];
    const date = 'Sun, 22 Nov 2026 10:00:00 +0000';
    expect(sink.messages[0]?.raw.toString()).toBe(
      `Received: by localhost (Sendwarden) with ESMTPSA id ${id};\r\n\t${date}\r\nDate: ${date}\r\n${body}\r\n`,
    );
  });

  it("passes the next hop's own permanent refusal to the client", async () => {
    const { sink, client, log } = await setUp({});
    sink.mode = 'refuse';
    sink.refusal = '554 5.7.1 Rejected by smarthost policy';
    const result = await send(client, 'refused');
    expect(result.final).toBe('554 5.7.1 Rejected by smarthost policy');
    expect(log.records.at(-1)).toMatchObject({ outcome: 'rejected', reasonCode: 'RELAY_REJECTED' });
    expect(log.records.at(-1)?.nextHopReply).toContain('554 5.7.1 Rejected by smarthost policy');
  });

  it("gives the next hop's own answer per recipient and delivers once to the others (no duplicates on retry)", async () => {
    const { sink, client, log } = await setUp({});
    sink.refusedRecipients.add('gone@fabrikam.com');
    const result = await send(client, 'partial', ['here@fabrikam.com', 'gone@fabrikam.com']);
    expect(result.rcpt).toEqual(['250 Accepted', '550 5.1.1 No such user (test)']);
    expect(result.final).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]?.to).toEqual(['here@fabrikam.com']);
    expect(log.records.at(-1)).toMatchObject({ outcome: 'relayed', recipientsRefused: 1 });
  });

  it('answers 451 4.4.1 within bounded time when the next hop hangs', async () => {
    const { sink, client, log } = await setUp({
      socketTimeoutMs: 700,
      greetingTimeoutMs: 700,
      connectionTimeoutMs: 700,
    });
    sink.mode = 'hang';
    const started = performance.now();
    const result = await send(client, 'hang');
    const elapsed = performance.now() - started;
    expect(result.rcpt).toEqual(['250 Accepted']);
    expect(result.final).toBe('451 4.4.1 Next hop unavailable, try again later');
    expect(elapsed).toBeLessThan(5000);
    expect(log.records.at(-1)).toMatchObject({ outcome: 'deferred', reasonCode: 'RELAY_UNAVAILABLE' });
  });

  it('answers 451 4.4.1 when nothing listens at the next hop', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const { client } = await setUp({ url: `smtp://127.0.0.1:${closedPort}`, connectionTimeoutMs: 700 });
    expect(await outcome(client, 'nobody-home')).toBe('451 4.4.1 Next hop unavailable, try again later');
  });

  it('loses nothing when the next hop is killed mid-run: every message that got 250 is at the next hop', async () => {
    const { sink, client } = await setUp({ socketTimeoutMs: 1000, greetingTimeoutMs: 1000, connectionTimeoutMs: 1000 });
    const acknowledged: string[] = [];
    const deferred: string[] = [];
    const killed = sink.waitFor(5).then(() => sink.kill());
    for (let i = 0; i < 15; i++) {
      const subject = `run-${i}`;
      const reply = await outcome(client, subject);
      if (reply?.startsWith('250')) acknowledged.push(subject);
      else {
        expect(reply).toBe('451 4.4.1 Next hop unavailable, try again later');
        deferred.push(subject);
      }
    }
    await killed;
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    expect(deferred.length).toBeGreaterThan(0);
    const delivered = sink.messages.map((m) => /Subject: (\S+)/.exec(m.raw.toString())?.[1]);
    for (const subject of acknowledged) expect(delivered).toContain(subject);
  });
});

/**
 * TLS session resumption on the submission ports (issue 14): a client that connects again with
 * the session ticket of its previous connection skips the full handshake, on 465 (implicit TLS)
 * and on 587 after STARTTLS. Checked as a client would, with node:tls's `session` option and
 * `isSessionReused()`; a second, full handshake per message costs the gateway a signature each.
 *
 * Fakes (test/support/smtp-fakes.ts): FakeSignIn, FakeGuard, MessageLog, TestLogger, FakeClock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpGateway, type SmtpGateway } from '../../src/adapters/smtp/smtp-gateway.js';
import { SmtpRelay } from '../../src/adapters/relay/smtp-relay.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeGuard, FakeSignIn, MessageLog, TestLogger } from '../support/smtp-fakes.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

let dataDir: string;
let sink: SmtpSink;
let relay: SmtpRelay;
let gateway: SmtpGateway;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sw-tls-'));
  sink = await startSmtpSink();
  relay = new SmtpRelay({ url: sink.url, socketTimeoutMs: 5000 });
  gateway = await startSmtpGateway(
    {
      authenticate: new FakeSignIn().authenticate,
      guard: new FakeGuard(),
      relay,
      recordMessage: new MessageLog().record,
      logger: new TestLogger(),
      clock: new FakeClock(),
    },
    { host: '127.0.0.1', port: 0, smtpsPort: 0, dataDir, hostname: 'localhost', closeTimeoutMs: 1000 },
  );
});

afterAll(async () => {
  await gateway?.close();
  await relay?.close();
  await sink?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Reads until a complete final reply line (`NNN text`) arrives. */
function reply(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** The handshake is done and the server's session ticket has arrived (TLS 1.3 sends it after). */
async function ticketOf(secure: tls.TLSSocket): Promise<Buffer> {
  const session = await new Promise<Buffer>((resolve) => secure.once('session', resolve));
  return session;
}

async function implicitTls(session?: Buffer): Promise<{ reused: boolean; ticket: Buffer }> {
  const secure = tls.connect({
    host: '127.0.0.1',
    port: gateway.smtpsPort!,
    servername: 'localhost',
    rejectUnauthorized: false,
    session,
  });
  const ticket = ticketOf(secure);
  expect(await reply(secure)).toMatch(/^220 /);
  // A resumed session gets no new ticket here; only a full handshake is waited for one.
  const reused = secure.isSessionReused();
  const result = { reused, ticket: reused ? (session ?? Buffer.alloc(0)) : await ticket };
  secure.write('QUIT\r\n');
  await reply(secure);
  secure.destroy();
  return result;
}

async function startTls(session?: Buffer): Promise<{ reused: boolean; ticket: Buffer }> {
  const plain = net.connect({ host: '127.0.0.1', port: gateway.port });
  expect(await reply(plain)).toMatch(/^220 /);
  plain.write('EHLO client.test\r\n');
  expect(await reply(plain)).toContain('STARTTLS');
  plain.write('STARTTLS\r\n');
  expect(await reply(plain)).toMatch(/^220 /);
  const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({ socket: plain, servername: 'localhost', rejectUnauthorized: false, session }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const ticket = ticketOf(secure);
  secure.write('EHLO client.test\r\n');
  expect(await reply(secure)).toMatch(/^250[- ]/);
  // A resumed session gets no new ticket here; only a full handshake is waited for one.
  const reused = secure.isSessionReused();
  const result = { reused, ticket: reused ? (session ?? Buffer.alloc(0)) : await ticket };
  secure.write('QUIT\r\n');
  await reply(secure);
  secure.destroy();
  return result;
}

describe('TLS session resumption', () => {
  it('resumes a session on 465 (implicit TLS)', async () => {
    const first = await implicitTls();
    expect(first.reused).toBe(false);
    const second = await implicitTls(first.ticket);
    expect(second.reused).toBe(true);
  });

  it('resumes a session on 587 after STARTTLS', async () => {
    const first = await startTls();
    expect(first.reused).toBe(false);
    const second = await startTls(first.ticket);
    expect(second.reused).toBe(true);
  });
});

/**
 * Slow and idle SMTP clients. A client that trickles DATA one byte at a time, slower than the
 * socket timeout, is disconnected with a 421 and nothing it sent is handed on; 200 connections
 * that connect and then say nothing do not stop a normal user from sending, and the gateway
 * closes them itself once they have been idle for the socket timeout. If this fails, one slow or
 * idle client (or a few hundred) can hold the gateway, or half a message gets relayed.
 *
 * Fakes: none. Two nodes in this process (SQLite, in-process counters, capture outbox): one with
 * SENDWARDEN_SMTP_SOCKET_TIMEOUT_MS=1000 for the trickle, one with the default 60 s for the idle
 * crowd (so the crowd is still connected while the normal client sends).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { STRONG } from '../support/builders.js';
import { startStack, type Stack } from '../support/stack.js';

const SAM = 'sam@contoso.com';
const SOCKET_TIMEOUT_MS = 1000;
const IDLE_CLIENTS = 200;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function outboxOf(stack: Stack, sender: string): Promise<string[]> {
  return (await stack.app.outbox!.list()).filter((m) => m.from === sender).map((m) => m.subject ?? '');
}

async function sendsOne(stack: Stack, subject: string): Promise<string | undefined> {
  const client = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 15_000 });
  try {
    expect(await client.signIn(SAM, STRONG)).toMatch(/^235 /);
    const to = ['colleague@contoso.com'];
    return (await client.sendMail(SAM, to, simpleMessage(SAM, to, subject))).final;
  } finally {
    await client.quit();
  }
}

describe('a client that trickles DATA slower than the socket timeout', () => {
  let stack: Stack | undefined;

  beforeAll(async () => {
    stack = await startStack({ env: { SENDWARDEN_SMTP_SOCKET_TIMEOUT_MS: String(SOCKET_TIMEOUT_MS) } });
    await stack.addUser(SAM);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is disconnected with 421 and nothing it sent is relayed', async () => {
    const client = await SmtpTestClient.connect(stack!.smtpPort, { replyTimeoutMs: 15_000 });
    try {
      expect(await client.signIn(SAM, STRONG)).toMatch(/^235 /);
      expect(await client.command(`MAIL FROM:<${SAM}>`)).toMatch(/^250 /);
      expect(await client.command('RCPT TO:<colleague@contoso.com>')).toMatch(/^250 /);
      expect(await client.command('DATA')).toMatch(/^354 /);

      // The whole message, one byte per 1.5 socket timeouts: it would complete if nothing stopped it.
      const message = `${simpleMessage(SAM, ['colleague@contoso.com'], 'trickled')}\r\n.\r\n`;
      const started = performance.now();
      let sent = 0;
      while (!client.isClosed && sent < message.length) {
        client.write(message[sent]!);
        sent += 1;
        await Promise.race([client.closed, delay(SOCKET_TIMEOUT_MS * 1.5)]);
      }
      expect(client.isClosed).toBe(true);
      // Cut off after the first gap (a second byte may cross the 421 on a loaded machine).
      expect(sent).toBeLessThanOrEqual(2);
      expect(performance.now() - started).toBeLessThan(SOCKET_TIMEOUT_MS * 4);
      expect(await client.read()).toBe('421 Timeout - closing connection');
    } finally {
      client.destroy();
    }

    // A normal message afterwards goes through, and it is the only one in the outbox.
    expect(await sendsOne(stack!, 'after-trickle')).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(await outboxOf(stack!, SAM)).toEqual(['after-trickle']);
  });
});

describe(`${IDLE_CLIENTS} idle connections`, () => {
  let stack: Stack | undefined;
  const idle: net.Socket[] = [];

  beforeAll(async () => {
    stack = await startStack();
    await stack.addUser(SAM);
  });

  afterAll(async () => {
    for (const s of idle) s.destroy();
    await stack?.stop();
  });

  /** Connects and waits for the 220 greeting, then says nothing more. */
  function idleClient(port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      idle.push(socket);
      socket.once('error', reject);
      socket.once('data', (chunk: Buffer) => {
        if (chunk.toString('utf8').startsWith('220 ')) resolve(socket);
        else reject(new Error(`idle client got ${chunk.toString('utf8').trim()}`));
      });
    });
  }

  it('do not stop a normal client from signing in and sending', { timeout: 60_000 }, async () => {
    const port = stack!.smtpPort;
    for (let i = 0; i < IDLE_CLIENTS; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => idleClient(port)));
    }
    expect(idle.filter((s) => !s.destroyed)).toHaveLength(IDLE_CLIENTS);

    const started = performance.now();
    expect(await sendsOne(stack!, 'while-200-idle')).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(performance.now() - started).toBeLessThan(10_000);
    // The crowd was really there the whole time.
    expect(idle.filter((s) => !s.destroyed && s.readyState === 'open')).toHaveLength(IDLE_CLIENTS);
    expect(await outboxOf(stack!, SAM)).toEqual(['while-200-idle']);
    // The API on the same process answers too.
    expect((await stack!.http('GET', '/healthz')).status).toBe(200);
  });
});

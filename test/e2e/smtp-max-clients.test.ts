/**
 * SENDWARDEN_SMTP_MAX_CLIENTS caps concurrent SMTP connections: a flood of idle connections cannot
 * exhaust the process's file handles; the client past the cap is told 421 and closed, and a slot
 * freed by a disconnect is usable again. Real node (startStack), raw sockets, 127.0.0.1 only.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

function greeting(port: number): Promise<{ socket: net.Socket; line: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffered = '';
    socket.setTimeout(5000, () => reject(new Error('no greeting within 5 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n');
      if (end >= 0) {
        socket.setTimeout(0);
        resolve({ socket, line: buffered.slice(0, end) });
      }
    });
  });
}

describe('SMTP connection cap', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { SENDWARDEN_SMTP_MAX_CLIENTS: '2' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the third concurrent client gets 421 and is closed; a freed slot is usable again', async () => {
    const a = await greeting(stack.smtpPort);
    const b = await greeting(stack.smtpPort);
    expect(a.line).toMatch(/^220 /);
    expect(b.line).toMatch(/^220 /);
    const c = await greeting(stack.smtpPort);
    expect(c.line).toMatch(/^421 /);
    await new Promise<void>((resolve) => (c.socket.destroyed ? resolve() : c.socket.once('close', () => resolve())));
    a.socket.destroy();
    // The server learns of the close asynchronously: retry (bounded) until the freed slot is given out.
    let d = await greeting(stack.smtpPort);
    for (let tries = 0; d.line.startsWith('421') && tries < 50; tries++) {
      d.socket.destroy();
      d = await greeting(stack.smtpPort);
    }
    expect(d.line).toMatch(/^220 /);
    for (const s of [b.socket, d.socket]) s.destroy();
  });
});

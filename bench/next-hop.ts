/**
 * The next hop both sides relay to: Postfix's smtp-sink (accepts and discards, ~17,000 msg/s
 * here, so it is never the bottleneck) as a bounded child process on 127.0.0.1, or, when
 * Postfix is not installed, a minimal in-process smtp-server sink.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface NextHop {
  readonly kind: 'postfix smtp-sink' | 'in-process smtp-server sink';
  readonly url: string;
  close(): Promise<void>;
}

const SINK_PATHS = ['/usr/sbin/smtp-sink', '/usr/bin/smtp-sink'];

function findSmtpSink(): string | undefined {
  return SINK_PATHS.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls until something accepts on the port (bounded). */
async function waitForListener(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`smtp-sink exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`smtp-sink did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Every child started here, so run.ts can kill them on any exit path. */
export const children = new Set<ChildProcess>();

async function startPostfixSink(binary: string): Promise<NextHop> {
  const port = await freePort();
  // -u nobody: required when run as root. -a: no AUTH offered. 256 = listen backlog.
  const args = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), '-a', `127.0.0.1:${port}`, '256'];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.once('exit', () => children.delete(child));
  try {
    await waitForListener(port, child, 5000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
  }
  return {
    kind: 'postfix smtp-sink',
    url: `smtp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function startNodeSink(): Promise<NextHop> {
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, _session, callback) {
      stream.on('end', () => callback(null, 'Ok: discarded'));
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    kind: 'in-process smtp-server sink',
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** smtp-sink when installed (apt-get install postfix), else the in-process sink. */
export async function startNextHop(): Promise<NextHop> {
  const binary = findSmtpSink();
  return binary === undefined ? startNodeSink() : startPostfixSink(binary);
}

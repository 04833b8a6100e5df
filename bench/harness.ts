/**
 * The client harness, the same for every target: nodemailer (the library most Node
 * applications submit mail with), STARTTLS required, the self-signed certificate accepted,
 * 1 KB messages with one recipient each and a distinct body (as real mail has).
 */
import net from 'node:net';
import { createTransport } from 'nodemailer';
import { median, percentile } from './stats.js';
import type { Target } from './sides.js';

const PARAGRAPH =
  'Hello team, here are the notes from this morning about the quarterly planning. ' +
  'We agreed to move the review to Thursday and to share the draft budget beforehand. ' +
  'Please add your comments to the shared document before Wednesday evening. ';

/** A `bytes`-byte (default 1,024) RFC 5322 message (CRLF line endings), distinct per `n`. */
export function oneKbMessage(from: string, to: string, n: number, bytes = 1024): Buffer {
  const head = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: Planning notes ${n}`,
    `Message-ID: <bench-${n}-${process.pid}@bench.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Reference ${n}.`,
    '',
  ].join('\r\n');
  const line = PARAGRAPH.replace(/\. /g, '.\r\n');
  const body = line.repeat(Math.ceil(Math.max(0, bytes - head.length) / line.length) + 1);
  return Buffer.from((head + body).slice(0, bytes - 2) + '\r\n');
}

function transportFor(target: Target, pool: { sessions: number } | null) {
  return createTransport({
    host: '127.0.0.1',
    port: target.port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    ...(target.auth ? { auth: { user: target.auth.user, pass: target.auth.pass } } : {}),
    ...(pool ? { pool: true, maxConnections: pool.sessions, maxMessages: Infinity } : { pool: false }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

export interface ThroughputResult {
  readonly messages: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  readonly elapsedMs: number;
  readonly perSecond: number;
}

/**
 * Kept sessions: a pool of `sessions` connections (STARTTLS and AUTH once each, during the
 * warm-up), then `messages` sends queued at once and timed until the last 250.
 */
export async function keptSessions(
  target: Target,
  options: { sessions: number; messages: number; from: string; seq: { n: number }; bytes?: number },
): Promise<ThroughputResult> {
  const transport = transportFor(target, { sessions: options.sessions });
  let failed = 0;
  let firstError: string | undefined;
  const send = async () => {
    const n = options.seq.n++;
    const to = `reader${n}@fabrikam.example`;
    try {
      await transport.sendMail({
        envelope: { from: options.from, to: [to] },
        raw: oneKbMessage(options.from, to, n, options.bytes),
      });
    } catch (err) {
      failed += 1;
      firstError ??= (err as Error).message;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.sessions * 5 }, send));
    failed = 0;
    firstError = undefined;
    const started = performance.now();
    await Promise.all(Array.from({ length: options.messages }, send));
    const elapsedMs = performance.now() - started;
    return {
      messages: options.messages,
      failed,
      firstError,
      elapsedMs,
      perSecond: ((options.messages - failed) / elapsedMs) * 1000,
    };
  } finally {
    transport.close();
  }
}

export interface PerConnectionResult extends ThroughputResult {
  readonly concurrency: number;
  /** Per message: connect, greeting, EHLO, STARTTLS, EHLO, [AUTH], MAIL, RCPT, DATA, QUIT. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

/** One message per connection, `concurrency` clients in parallel, as MUAs and most apps send. */
export async function onePerConnection(
  target: Target,
  options: { concurrency: number; messages: number; from: string; seq: { n: number }; bytes?: number },
): Promise<PerConnectionResult> {
  const transport = transportFor(target, null);
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let left = options.messages;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      const n = options.seq.n++;
      const to = `reader${n}@fabrikam.example`;
      const t0 = performance.now();
      try {
        await transport.sendMail({
          envelope: { from: options.from, to: [to] },
          raw: oneKbMessage(options.from, to, n, options.bytes),
        });
        latencies.push(performance.now() - t0);
      } catch (err) {
        failed += 1;
        firstError ??= (err as Error).message;
      }
    }
  };
  try {
    const started = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const elapsedMs = performance.now() - started;
    return {
      concurrency: options.concurrency,
      messages: options.messages,
      failed,
      firstError,
      elapsedMs,
      perSecond: ((options.messages - failed) / elapsedMs) * 1000,
      latencyP50Ms: median(latencies),
      latencyP99Ms: percentile(latencies, 99),
    };
  } finally {
    transport.close();
  }
}

/** Median time from TCP connect to the first byte of the 220 greeting, over `samples` sequential connections. */
export async function timeToGreeting(port: number, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    times.push(
      await new Promise<number>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port });
        let t0 = 0;
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error('no greeting within 5 s'));
        }, 5000);
        socket.once('connect', () => (t0 = performance.now()));
        socket.once('data', () => {
          const dt = performance.now() - t0;
          clearTimeout(timer);
          socket.end('QUIT\r\n');
          socket.destroy();
          resolve(dt);
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      }),
    );
  }
  return median(times);
}

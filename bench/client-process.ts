/**
 * The client harness in its own process, so the server under test does not share its event
 * loop (or its core) with the client:
 *   node --import tsx bench/client-process.ts '<json job>'
 * Prints one JSON line: the result of keptSessions or onePerConnection.
 */
import { keptSessions, onePerConnection } from './harness.js';
import type { Target } from './sides.js';

/** What run.ts asks the client process to do. */
export interface ClientJob {
  readonly mode: 'kept' | 'per-connection';
  readonly port: number;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly from: string;
  readonly messages: number;
  readonly sessions: number;
  readonly concurrency: number;
  /** First message number: every message of a run is distinct. */
  readonly seq: number;
  /** Message size in bytes; default 1,024. */
  readonly bytes?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ClientJob;
const target: Target = {
  name: 'remote',
  port: job.port,
  ...(job.auth ? { auth: job.auth } : {}),
  close: async () => undefined,
};
const seq = { n: job.seq };
const result =
  job.mode === 'kept'
    ? await keptSessions(target, {
        sessions: job.sessions,
        messages: job.messages,
        from: job.from,
        seq,
        ...(job.bytes ? { bytes: job.bytes } : {}),
      })
    : await onePerConnection(target, {
        concurrency: job.concurrency,
        messages: job.messages,
        from: job.from,
        seq,
        ...(job.bytes ? { bytes: job.bytes } : {}),
      });
process.stdout.write(JSON.stringify(result) + '\n');

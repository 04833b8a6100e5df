/**
 * Issue 14: server memory per active user in a real policy-service process, in its own process:
 *   node --expose-gc --import tsx bench/policy-memory.ts <users>
 * Prints one JSON line (PolicyMemoryResult).
 *
 * This process is the server only: a Sendwarden node as `npm run bench -- --peers` starts it
 * (bench/peers.ts startSendwarden: SQLite store, in-process counters, pino info log to a file),
 * with a directory of `users` users (bulk insert) plus WARM_USERS. The load client is another
 * process (bench/policy-load.ts), so none of its memory counts here: 10 kept connections, Postfix
 * 3.7's RCPT attribute set, then the message's END-OF-MESSAGE (which releases the envelope), one
 * message with one external recipient per user. First a warm-up from WARM_USERS users (not
 * counted); then heap used and RSS after two GCs, every user's one message, two GCs, and again.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeUser } from '../test/support/builders.js';
import { BENCH_PRINCIPAL } from './sides.js';
import { children } from './next-hop.js';
import { startSendwarden } from './peers.js';
import type { PolicyLoadJob, PolicyLoadResult } from './policy-load.js';
import { runScript } from './remote-client.js';

export interface PolicyMemoryResult {
  readonly users: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** (after - before) / users, bytes. */
  readonly heapPerUser: number;
  readonly rssPerUser: number;
  /** Every user's one message was accepted (DUNNO) and nothing failed. */
  readonly allAccepted: boolean;
  readonly perSecond: number;
}

const DOMAIN = 'bench.example';
const WARM_USERS = 5;
const WARM_REQUESTS = 500;

function afterGc(): { heap: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function load(port: number, users: number, userPrefix: string, requests: number, run: number) {
  const job: PolicyLoadJob = {
    port,
    requests,
    connections: 10,
    users,
    userPrefix,
    userDomain: DOMAIN,
    run,
    timeoutMs: 240_000,
    endOfMessage: true,
  };
  return runScript<PolicyLoadResult>('policy-load.ts', [JSON.stringify(job)], { timeoutMs: 250_000 });
}

async function measure(users: number, dir: string): Promise<PolicyMemoryResult> {
  const warmLogins = Array.from({ length: WARM_USERS }, (_, u) => `warm-u${u}@${DOMAIN}`);
  // The default policy allows 100,000 external recipients per hour: every message is accepted.
  const side = await startSendwarden(path.join(dir, 'node'), 'sendwarden', 100_000, warmLogins);
  try {
    const app = side.sendwarden!.app;
    const orgId = (
      await app.directory.addUser(BENCH_PRINCIPAL, { email: `org-probe@${DOMAIN}`, displayName: 'org probe' })
    ).orgId;
    // 1,000 rows per statement: a users row binds about 20 values, SQLite allows 32,766 per statement.
    for (let i = 0; i < users; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, users - i) }, (_, k) =>
        makeUser(`u${i + k}@${DOMAIN}`, { id: randomUUID(), orgId }),
      );
      await app.store.stores.users.insertMany(batch);
    }
    const warm = await load(side.port, WARM_USERS, 'warm-u', WARM_REQUESTS, 1);
    if (warm.accepted !== WARM_REQUESTS) throw new Error(`warm-up: ${warm.accepted} of ${WARM_REQUESTS} accepted`);
    const before = afterGc();
    const r = await load(side.port, users, 'u', users, 2);
    const after = afterGc();
    return {
      users,
      heapBefore: before.heap,
      heapAfter: after.heap,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapPerUser: Math.round((after.heap - before.heap) / users),
      rssPerUser: Math.round((after.rss - before.rss) / users),
      allAccepted: r.accepted === users && r.failed === 0 && r.perUser.every(([a]) => a === 1),
      perSecond: Math.round(r.perSecond),
    };
  } finally {
    await side.close();
  }
}

const users = Math.min(500_000, Math.max(100, Number(process.argv[2] ?? 20_000)));
const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-policy-memory-'));
// The load client and the temp folder go with this process, on a crash, a signal or the end (run.ts's
// SIGKILL after its timeout leaves the client to its own timeout and to the socket closing).
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
process.stdout.write(JSON.stringify(await measure(users, dir)) + '\n');

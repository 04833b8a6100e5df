/**
 * Where the policy service's time goes: `node --cpu-prof --cpu-prof-dir=DIR --import tsx
 * bench/policy-profile.ts [requests]`. One Sendwarden node (in-process counters) as
 * `npm run bench -- --peers` starts it, one warm-up run, then one run of the load client
 * (its own process) at 10 connections and 100 users; the .cpuprofile (this process only) is written
 * on exit. Prints the throughput, the CPU per request (user and system) and the server-side p50/p99. With
 * REDIS_URL set the counters live in Redis; LIMIT sets the recipients per hour (default: half refused);
 * FLOOR=1 runs the bench's floor server (bench/policy-floor.ts) instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { children } from './next-hop.js';
import { startPolicyFloor } from './policy-floor.js';
import { decisionFigures, startSendwarden } from './peers.js';
import type { PolicyLoadJob, PolicyLoadResult } from './policy-load.js';
import { runScript } from './remote-client.js';
import { fmt } from './stats.js';

const requests = Math.max(2000, Math.round(Number(process.argv[2] ?? '20000') / 200) * 200);
const users = 100;
const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-policy-profile-'));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const logins = [0, 1].flatMap((r) => Array.from({ length: users }, (_, u) => `r${r}-u${u}@bench.example`));
// REDIS_URL set: the counters in Redis (as the bench's "sendwarden (Redis)" side).
const redisUrl = process.env.REDIS_URL || undefined;
const limit = Number(process.env.LIMIT ?? requests / users / 2);
// FLOOR=1: the bench's floor server (bench/policy-floor.ts) instead of Sendwarden, for its CPU per request.
const side = process.env.FLOOR
  ? { ...(await startPolicyFloor(limit)), sendwarden: undefined }
  : await startSendwarden(path.join(dir, 'node'), 'sendwarden', limit, logins, redisUrl);
try {
  for (const round of [0, 1]) {
    const job: PolicyLoadJob = {
      port: side.port,
      requests,
      connections: 10,
      users,
      userPrefix: `r${round}-u`,
      userDomain: 'bench.example',
      run: round + 1,
      timeoutMs: 300_000,
    };
    side.sendwarden?.app.metrics.policyDecision.reset();
    const cpu0 = process.cpuUsage();
    const r = await runScript<PolicyLoadResult>('policy-load.ts', [JSON.stringify(job)], { timeoutMs: 310_000 });
    const cpu = process.cpuUsage(cpu0);
    const d = side.sendwarden ? await decisionFigures(side.sendwarden) : { p50: NaN, p99: NaN };
    process.stdout.write(
      `${round === 0 ? 'warm-up' : 'measured'}: ${fmt(r.perSecond)} req/s, accepted ${r.accepted} / refused ${r.refused}, ` +
        `server CPU ${fmt((cpu.user + cpu.system) / r.requests, 0)} us per request (user ${fmt(cpu.user / r.requests, 0)}, system ${fmt(cpu.system / r.requests, 0)}), ` +
        `server p50 ${fmt(d.p50 * 1e3, 3)} ms, p99 ${fmt(d.p99 * 1e3, 3)} ms\n`,
    );
  }
} finally {
  await side.close();
  await rm(dir, { recursive: true, force: true });
}

/**
 * `npm run bench -- --peers` (issue 14): Sendwarden's Postfix policy service beside the policy
 * daemons Debian ships (bench/peer-processes.ts), all driven by one load client in its own process
 * (bench/policy-load.ts), rounds interleaved; then the gateway matrix (bench/gateway-matrix.ts).
 *
 * Every side gets the same limit: each user may send LIMIT recipients per hour, and the load sends
 * 2 x LIMIT per user, so exactly half is refused; the split is checked user by user for every side.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startPolicydRateLimit, startPostfwd, type Peer } from './peer-processes.js';
import { startPolicyFloor } from './policy-floor.js';
import type { PolicyLoadJob, PolicyLoadResult } from './policy-load.js';
import { runScript } from './remote-client.js';
import { BENCH_PRINCIPAL, startGateway, THROUGHPUT_LIMITS, type GatewaySide } from './sides.js';
import { fmt, mean } from './stats.js';

export interface PeersOptions {
  readonly requests: number;
  readonly connections: number;
  readonly users: number;
  readonly rounds: number;
  readonly redisUrl: string | undefined;
}

/** One side's figures over the rounds. */
export interface SideFigures {
  readonly name: string;
  readonly perSecond: readonly number[];
  readonly splitOk: boolean;
  /** Server-side time per request (Sendwarden only), seconds. */
  readonly decisionP50?: number;
  readonly decisionP99?: number;
  readonly under1ms?: number;
  readonly under3ms?: number;
}

export interface PeersResult {
  readonly sides: readonly SideFigures[];
  readonly configs: readonly string[];
}

const WINDOW_S = 3600;
/** Logins of the warm-up run (`${WARM_UP_PREFIX}${u}@bench.example`), apart from every round's. */
const WARM_UP_PREFIX = 'w-u';
const DOMAIN = 'bench.example';

interface Side {
  readonly name: string;
  readonly port: number;
  readonly sendwarden?: GatewaySide;
  close(): Promise<void>;
}

/** A Sendwarden node with only the policy service in use, its policy set to `limit` external recipients per hour. */
export async function startSendwarden(
  dir: string,
  name: string,
  limit: number,
  logins: readonly string[],
  redisUrl?: string,
): Promise<Side> {
  const prefix = `sw:bench:${randomBytes(6).toString('hex')}:`;
  const side = await startGateway(dir, 'smtp://127.0.0.1:9', {
    name,
    env: {
      SENDWARDEN_POLICY_PORT: '0',
      ...(redisUrl ? { REDIS_URL: redisUrl, SENDWARDEN_REDIS_PREFIX: prefix } : {}),
    },
  });
  await side.app.policyAdmin.update(BENCH_PRINCIPAL, {
    limits: { ...THROUGHPUT_LIMITS, externalPerHour: limit },
    action: 'restrict-until-tomorrow',
  });
  for (const email of logins) await side.app.directory.addUser(BENCH_PRINCIPAL, { email, displayName: email });
  const port = side.servers.policyPort;
  if (port === undefined) throw new Error('the policy service did not start');
  return {
    name,
    port,
    sendwarden: side,
    async close() {
      const counters = side.app.counters as { reset?: (prefix: string) => Promise<void> };
      if (redisUrl) await counters.reset?.('').catch(() => undefined);
      await side.close();
    },
  };
}

/** Quantile from a prom-client histogram's cumulative buckets, linear within a bucket. */
function histogramQuantile(buckets: readonly { le: number; count: number }[], total: number, q: number): number {
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lower;
      const inBucket = b.count - below;
      return lower + (inBucket === 0 ? 0 : ((rank - below) / inBucket) * (b.le - lower));
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

export async function decisionFigures(side: GatewaySide) {
  const { values } = await side.app.metrics.policyDecision.get();
  const buckets = values
    .filter((v) => v.metricName === 'sendwarden_policy_decision_seconds_bucket')
    .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: v.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  const at = (le: number) => (buckets.find((b) => b.le === le)?.count ?? 0) / (total || 1);
  return {
    count: total,
    p50: histogramQuantile(buckets, total, 0.5),
    p99: histogramQuantile(buckets, total, 0.99),
    under1ms: at(0.001),
    under3ms: at(0.003),
  };
}

export async function peersSection(
  dir: string,
  o: PeersOptions,
  out: (line: string) => void,
  cleanups: (() => Promise<void>)[],
): Promise<PeersResult> {
  if (o.requests % (2 * o.users) !== 0) throw new Error('requests must be a multiple of 2 x users');
  const limit = o.requests / o.users / 2;
  const warmUsers = Math.max(1, Math.floor(o.users / 2));
  const logins = [
    ...Array.from({ length: warmUsers }, (_, u) => `${WARM_UP_PREFIX}${u}@${DOMAIN}`),
    ...Array.from({ length: o.rounds }, (_, r) =>
      Array.from({ length: o.users }, (_, u) => `r${r}-u${u}@${DOMAIN}`),
    ).flat(),
  ];
  out(
    `  ${fmt(o.requests)} RCPT requests (Postfix 3.7's attribute set, one recipient per message), ${o.connections} connections ` +
      `one request at a time, ${o.users} users x ${2 * limit} recipients, limit ${limit} per hour: half must be refused`,
  );
  const sides: Side[] = [];
  const configs: string[] = [];
  const add = async (started: Promise<Side | Peer | string>) => {
    const s = await started;
    if (typeof s === 'string') return out(`  ${s}`);
    cleanups.push(() => s.close());
    sides.push(s);
    if ('config' in s) configs.push(`${s.name}: ${s.config}`);
  };
  await add(startSendwarden(path.join(dir, 'policy-memory'), 'sendwarden (in-process counters)', limit, logins));
  if (o.redisUrl)
    await add(startSendwarden(path.join(dir, 'policy-redis'), 'sendwarden (Redis)', limit, logins, o.redisUrl));
  else out('  Redis: nothing answers; the Sendwarden-on-Redis side is skipped');
  configs.unshift(
    `sendwarden: SQLite store (data dir in ${os.tmpdir()}), default policy externalPerHour ${limit}, action restrict-until-tomorrow, pino info log to a file`,
  );
  await add(startPolicyFloor(limit));
  await add(startPolicydRateLimit(dir, limit, WINDOW_S));
  await add(startPostfwd('postfwd1', dir, limit, WINDOW_S));
  await add(startPostfwd('postfwd2', dir, limit, WINDOW_S));

  const figures = new Map<
    string,
    { rates: number[]; splitOk: boolean; d: Awaited<ReturnType<typeof decisionFigures>>[] }
  >(sides.map((s) => [s.name, { rates: [], splitOk: true, d: [] }]));
  // Every side is a long-running daemon in production: before the rounds each one answers half a run
  // (its own users, the same shape: half refused, restrictions included), not counted, so round 1
  // measures a warm process as round 2 does (V8 compiles the hot code after the first few thousand
  // requests; without this, Sendwarden's first round ran at about two thirds of its second).
  const load = (port: number, userPrefix: string, users: number, run: number) => {
    const job: PolicyLoadJob = {
      port,
      requests: users * (o.requests / o.users),
      connections: o.connections,
      users,
      userPrefix,
      userDomain: DOMAIN,
      run,
      timeoutMs: 300_000,
    };
    return runScript<PolicyLoadResult>('policy-load.ts', [JSON.stringify(job)], { timeoutMs: 310_000 });
  };
  for (const side of sides) {
    const r = await load(side.port, WARM_UP_PREFIX, warmUsers, 0);
    out(`  warm-up ${side.name.padEnd(33)} ${fmt(r.perSecond).padStart(6)} req/s (not counted)`);
  }
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? [...sides] : [...sides].reverse();
    for (const side of order) {
      side.sendwarden?.app.metrics.policyDecision.reset();
      const r = await load(side.port, `r${round}-u`, o.users, round + 1);
      const f = figures.get(side.name)!;
      const badUsers = r.perUser.filter(([a, b]) => a !== limit || b !== limit).length;
      const splitOk = r.accepted === o.requests / 2 && r.refused === o.requests / 2 && badUsers === 0 && r.failed === 0;
      f.splitOk &&= splitOk;
      f.rates.push(r.perSecond);
      let server = '';
      if (side.sendwarden) {
        const d = await decisionFigures(side.sendwarden);
        f.d.push(d);
        server = `; server p50 ${fmt(d.p50 * 1e3, 3)} ms, p99 ${fmt(d.p99 * 1e3, 3)} ms (${fmt(d.under1ms * 100, 1)} % <= 1 ms)`;
      }
      out(
        `  round ${round + 1} ${side.name.padEnd(33)} ${fmt(r.perSecond).padStart(6)} req/s  ` +
          `accepted ${r.accepted} / refused ${r.refused}${splitOk ? ' (split ok)' : ` SPLIT WRONG: ${badUsers} users off, ${r.other} other, ${r.failed} failed${r.firstOther ? `: ${r.firstOther}` : ''}${r.firstError ? `: ${r.firstError}` : ''}`}` +
          `, client p99 ${fmt(r.latencyP99Ms, 2)} ms${server}`,
      );
    }
  }
  const result: SideFigures[] = sides.map((s) => {
    const f = figures.get(s.name)!;
    const last = f.d.at(-1);
    return {
      name: s.name,
      perSecond: f.rates,
      splitOk: f.splitOk,
      ...(last
        ? {
            decisionP50: mean(f.d.map((d) => d.p50)),
            decisionP99: Math.max(...f.d.map((d) => d.p99)),
            under1ms: Math.min(...f.d.map((d) => d.under1ms)),
            under3ms: Math.min(...f.d.map((d) => d.under3ms)),
          }
        : {}),
    };
  });
  const rate = (name: string) => mean(result.find((s) => s.name === name)?.perSecond ?? []);
  const ratio = (a: string, b: string, goal: number) => {
    const x = rate(a) / rate(b);
    return Number.isFinite(x) ? `${fmt(x, 2)}x (goal >= ${goal}x: ${x >= goal ? 'met' : 'not met'})` : 'n/a';
  };
  out(
    `  => ${'sendwarden (in-process counters)'} / policyd-rate-limit = ${ratio('sendwarden (in-process counters)', 'policyd-rate-limit', 2)}`,
  );
  const floor = sides.find((x) => x.name.startsWith('floor'))?.name ?? '';
  out(
    `  => ${floor} / policyd-rate-limit = ${fmt(rate(floor) / rate('policyd-rate-limit'), 2)}x: ` +
      `the ceiling of a Node service on this design here; sendwarden (in-process) / floor = ${fmt(rate('sendwarden (in-process counters)') / rate(floor), 2)}x`,
  );
  out(`  => sendwarden (Redis) / postfwd2 = ${ratio('sendwarden (Redis)', 'postfwd2', 3)}`);
  out(`  => sendwarden (in-process counters) / postfwd1 = ${ratio('sendwarden (in-process counters)', 'postfwd1', 1)}`);
  for (const s of result.filter((x) => x.decisionP99 !== undefined)) {
    const goalMs = s.name.includes('Redis') ? 3 : 1;
    const share = goalMs === 1 ? s.under1ms! : s.under3ms!;
    out(
      `  => ${s.name} decision time p50 ${fmt(s.decisionP50! * 1e3, 3)} ms, p99 ${fmt(s.decisionP99! * 1e3, 3)} ms ` +
        `(goal < ${goalMs} ms: ${share >= 0.99 ? 'met' : 'not met'}, ${fmt(share * 100, 2)} % of requests within ${goalMs} ms)`,
    );
  }
  for (const c of configs) out(`  config ${c}`);
  return { sides: result, configs };
}

/**
 * `npm run bench` (node --import tsx bench/run.ts [--messages N] [--sessions K] [--rounds R]):
 * Sendwarden's gateway against a bare relaying smtp-server in the same run, decision time,
 * overshoot under parallel sessions, and memory per 10,000 active users. Only 127.0.0.1, every
 * phase bounded in count and time, every child process and server stopped on any exit.
 * See docs/benchmarks.md for what each side does and the figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliTimes } from './cli.js';
import { decisionTimes } from './decision.js';
import { timeToGreeting, type PerConnectionResult, type ThroughputResult } from './harness.js';
import { runClient, runScript } from './remote-client.js';
import { children, startNextHop } from './next-hop.js';
import { daemonPids } from './peer-processes.js';
import { peersMain } from './peers-main.js';
import { overshoot } from './overshoot.js';
import type { PolicyMemoryResult } from './policy-memory.js';
import { rspamdRatio } from './rspamd-ratio.js';
import { scaleSection } from './scale.js';
import { startBaseline, startGateway, type Target } from './sides.js';
import { fmt, mean, withinMs } from './stats.js';
import { unblockPropagation } from './unblock-propagation.js';
import { whatIfBench } from './what-if.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    // Adds a third side to section 1: the gateway with the per-command reads one after the other (as before).
    'legacy-reads': { type: 'boolean', default: false },
    // Only section 6: the gateway with Rspamd on against the bare relay calling the same Rspamd.
    'rspamd-only': { type: 'boolean', default: false },
    // Section 7, what-if replay: rows in the log, and running that section alone.
    'what-if-rows': { type: 'string', default: '1000000' },
    'what-if-only': { type: 'boolean', default: false },
    // Runs only section 0 (the CLI's answer time), in seconds instead of minutes.
    'cli-only': { type: 'boolean', default: false },
    // Runs only section 8 (issue 14: search and Home overview at scale).
    'scale-only': { type: 'boolean', default: false },
    // Only the peers (issue 14): policy service vs policyd-rate-limit / postfwd, and the gateway matrix.
    peers: { type: 'boolean', default: false },
    'peers-requests': { type: 'string', default: '20000' },
    // Only P1 of --peers (the policy services), not the gateway matrix.
    'peers-skip-matrix': { type: 'boolean', default: false },
    // Only P2 of --peers (the gateway matrix against the bare relay, with CPU per message); implies --peers.
    'matrix-only': { type: 'boolean', default: false },
    // Only sections 1 and 2 (gateway vs baseline) and the unblock propagation (issue 14).
    'gateway-only': { type: 'boolean', default: false },
    // Only section 5 (issue 14: memory per active user), at 20,000 and 100,000 users, heap and RSS.
    'memory-only': { type: 'boolean', default: false },
  },
});
const N = Math.min(5000, Math.max(100, Number(args.messages)));
const K = Math.min(50, Math.max(1, Number(args.sessions)));
const ROUNDS = Math.min(3, Math.max(1, Number(args.rounds)));
// Section 8 builds 100k users and 1M log rows per dialect; --peers at 20,000 requests x 5 sides x 2
// rounds plus the matrix takes about 25 minutes on a busy machine: alone they get more time.
const WATCHDOG_MS = (args.peers || args['matrix-only'] ? 60 : args['scale-only'] ? 30 : 15) * 60_000;

const out = (line = '') => process.stdout.write(line + '\n');
const cleanups: (() => Promise<void>)[] = [];

async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => out(`  cleanup: ${String(err)}`));
}

// Child processes die with us even on a crash or Ctrl-C.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const pid of daemonPids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    out(`\n${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return false;
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) });
    const timer = setTimeout(() => finish(false), 500);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => finish(d.toString().startsWith('+PONG')));
    s.once('error', () => finish(false));
  });
}

function memoryProbe(users: number, redisUrl: string | undefined): Promise<Record<string, unknown>> {
  return runScript('memory-probe.ts', [String(users), ...(redisUrl ? [redisUrl] : [])], {
    nodeFlags: ['--expose-gc'],
    timeoutMs: 120_000,
  });
}

/** A real policy-service process (bench/policy-memory.ts), its load client in another process. */
function policyMemory(users: number): Promise<PolicyMemoryResult> {
  return runScript<PolicyMemoryResult>('policy-memory.ts', [String(users)], {
    nodeFlags: ['--expose-gc'],
    timeoutMs: 300_000,
  });
}

function perConnLine(r: PerConnectionResult, name: string): string {
  return (
    `  ${name.padEnd(34)} c=${String(r.concurrency).padEnd(3)} ${fmt(r.perSecond, 1).padStart(7)} msg/s` +
    `   latency p50 ${fmt(r.latencyP50Ms, 1)} ms, p99 ${fmt(r.latencyP99Ms, 1)} ms` +
    (r.failed ? `   FAILED ${r.failed}: ${r.firstError}` : '')
  );
}

/** Section 7: the what-if replay against a plain scan of the same rows, on SQLite and PostgreSQL. */
async function whatIfSection(number: number): Promise<void> {
  const rows = Math.min(2_000_000, Math.max(10_000, Number(args['what-if-rows'])));
  out(`\n${number}. What-if replay: ${fmt(rows)} message-log rows of 10,000 users over 6 days, limit 2 external/h`);
  for (const r of await withinMs(600_000, 'what-if replay', whatIfBench(rows, 10_000))) {
    if (r.error) {
      out(`  ${r.backend.padEnd(11)} ${r.error}`);
      continue;
    }
    out(
      `  ${r.backend.padEnd(11)} scan ${fmt(r.rows / (r.scanMs / 1000))} rows/s (${fmt(r.scanMs / 1000, 2)} s), ` +
        `replay ${fmt(r.rows / (r.replayMs / 1000))} rows/s (${fmt(r.replayMs / 1000, 2)} s), replay/scan ${fmt(r.replayMs / r.scanMs, 2)}; ` +
        `CPU of this process: scan ${fmt(r.scanCpuMs / 1000, 2)} s, replay ${fmt(r.replayCpuMs / 1000, 2)} s; ${fmt(r.restricted)} users would be restricted`,
    );
  }
  out(`  load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`);
}

async function main(): Promise<number> {
  if (args.peers || args['matrix-only']) {
    const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    return peersMain({
      requests: Math.min(200_000, Math.max(2000, Number(args['peers-requests']))),
      rounds: ROUNDS,
      redisUrl: (await redisAnswers(redisUrl)) ? redisUrl : undefined,
      matrix: !args['peers-skip-matrix'],
      matrixOnly: args['matrix-only'],
      out,
      cleanups,
    });
  }
  if (args['what-if-only']) {
    await whatIfSection(7);
    return 0;
  }
  if (args['memory-only']) {
    out('5. Memory per active user (child process with --expose-gc: heap and RSS deltas after gc)');
    for (const users of [20_000, 100_000]) {
      const mem = await memoryProbe(users, undefined);
      for (const [key, value] of Object.entries(mem)) {
        if (key === 'users') continue;
        const v = value as { bytesPerUser?: number; rssPerUser?: number; keys?: number };
        out(
          `  ${fmt(users)} users ${key.padEnd(22)} heap ${fmt(v.bytesPerUser ?? 0)} B/user, ` +
            `RSS ${fmt(v.rssPerUser ?? 0)} B/user, ${fmt(v.keys ?? 0)} keys`,
        );
      }
    }
    out('  policy-service process (one message to one external recipient per user, RCPT then END-OF-MESSAGE):');
    for (const users of [20_000, 100_000]) {
      const p = await policyMemory(users);
      out(
        `  ${fmt(users)} users ${'policy-service'.padEnd(22)} heap ${fmt(p.heapPerUser)} B/user, ` +
          `RSS ${fmt(p.rssPerUser)} B/user${p.allAccepted ? '' : ' (NOT every message accepted)'}, ` +
          `${fmt(p.perSecond)} msg/s, load average ${os.loadavg()[0]?.toFixed(1)}`,
      );
    }
    return 0;
  }
  if (args['scale-only']) {
    await withinMs(1_700_000, 'the scale section', scaleSection(8, out));
    return 0;
  }
  const started = performance.now();
  const { version: smtpServerVersion } = (await import('smtp-server/package.json', { with: { type: 'json' } }))
    .default as { version: string };
  out(`Sendwarden bench  ${new Date().toISOString()}`);
  out(
    `  node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), ` +
      `${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, smtp-server ${smtpServerVersion}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  out(`  ${N} messages of 1 KB per throughput trial, ${K} kept sessions, ${ROUNDS} rounds per side`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  out(
    '\n0. CLI answer time: built bin/sendwarden.js users list --search rob --json against node -e 0 (medians, alternated)',
  );
  const cli = args['gateway-only']
    ? { error: 'skipped (--gateway-only)' }
    : await withinMs(120_000, 'the CLI timing', cliTimes(path.join(dir, 'cli')));
  const cliRatio = 'error' in cli ? NaN : cli.ratio;
  out(
    'error' in cli
      ? `  ${cli.error}`
      : `  node -e 0 ${fmt(cli.nodeMs)} ms, sendwarden users list ${fmt(cli.cliMs)} ms: ratio ${fmt(cli.ratio, 1)} (goal <= 4), ${cli.rounds} rounds\n` +
          `  (without the bundle, dist/main.js: ${fmt(cli.unbundledMs)} ms, ratio ${fmt(cli.unbundledRatio, 1)})`,
  );
  if (args['cli-only']) return Number.isFinite(cliRatio) && cliRatio <= 4 ? 0 : 1;

  const nextHop = await startNextHop();
  cleanups.push(() => nextHop.close());
  out(`  next hop: ${nextHop.kind} at ${nextHop.url}`);
  const rspamdSection = async (seq: { n: number }) => {
    out('\n6. Rspamd on: gateway (SENDWARDEN_RSPAMD_URL) vs the bare relay calling the same Rspamd, kept sessions');
    return rspamdRatio(dir, nextHop.url, { messages: N, sessions: K, rounds: ROUNDS, seq }, out, cleanups);
  };
  if (args['rspamd-only']) {
    const r = await rspamdSection({ n: 0 });
    out(`\nSummary\n  rspamd on: gateway/baseline = ${r ? fmt(r.ratio, 2) : 'skipped'}`);
    return 0;
  }

  const gateway = await startGateway(path.join(dir, 'gateway'), nextHop.url);
  cleanups.push(() => gateway.close());
  const from = 'sender@bench.example';
  const gatewayTarget: Target = { ...gateway, auth: { user: from, pass: await gateway.addSender(from) } };
  const legacy = args['legacy-reads']
    ? await startGateway(path.join(dir, 'legacy'), nextHop.url, { legacyReads: true })
    : undefined;
  if (legacy) cleanups.push(() => legacy.close());
  const legacyTarget: Target | undefined = legacy && {
    ...legacy,
    auth: { user: from, pass: await legacy.addSender(from) },
  };
  const baseline = await startBaseline(nextHop.url, gateway.tls);
  cleanups.push(() => baseline.close());
  const noDelay = await startBaseline(nextHop.url, gateway.tls, { noGreetingDelay: true });
  cleanups.push(() => noDelay.close());
  const seq = { n: 0 };

  out('\n1. Kept sessions (client process: nodemailer pool, STARTTLS, 1 recipient per message)');
  const rates: Record<'baseline' | 'gateway' | 'legacy', number[]> = { baseline: [], gateway: [], legacy: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither side always runs on a warmer machine.
    const sides = legacyTarget ? (['baseline', 'gateway', 'legacy'] as const) : (['baseline', 'gateway'] as const);
    const order = round % 2 === 0 ? [...sides] : [...sides].reverse();
    for (const side of order) {
      const target = side === 'gateway' ? gatewayTarget : side === 'legacy' ? (legacyTarget as Target) : baseline;
      const r = await runClient<ThroughputResult>(
        {
          mode: 'kept',
          port: target.port,
          auth: target.auth,
          from,
          messages: N,
          sessions: K,
          concurrency: K,
          seq: seq.n,
        },
        120_000,
      );
      seq.n += N + K * 5;
      rates[side].push(r.perSecond);
      out(
        `  round ${round + 1} ${side.padEnd(9)} ${fmt(r.perSecond).padStart(6)} msg/s  (${N} in ${fmt(r.elapsedMs)} ms)` +
          (r.failed ? `  FAILED ${r.failed}: ${r.firstError}` : ''),
      );
    }
  }
  // Mean over rounds per side; the per-round ratios show how noisy the machine was.
  const baseRate = mean(rates.baseline);
  const gwRate = mean(rates.gateway);
  const perRound = rates.gateway.map((g, i) => fmt(g / (rates.baseline[i] ?? NaN), 2)).join(', ');
  out(
    `  => gateway ${fmt(gwRate)} msg/s vs baseline ${fmt(baseRate)} msg/s (means): ratio ${fmt(gwRate / baseRate, 2)} ` +
      `(overhead ${fmt((1 - gwRate / baseRate) * 100)} %; per round ${perRound})`,
  );
  if (legacyTarget) {
    const legacyRate = mean(rates.legacy);
    const legacyPerRound = rates.legacy.map((g, i) => fmt(g / (rates.baseline[i] ?? NaN), 2)).join(', ');
    out(
      `  => reads one by one ${fmt(legacyRate)} msg/s: ratio ${fmt(legacyRate / baseRate, 2)} (per round ${legacyPerRound}); ` +
        `gateway / reads one by one = ${fmt(gwRate / legacyRate, 2)}`,
    );
  }

  out('\n2. Greeting delay and one message per connection');
  const greet = {
    gateway: await timeToGreeting(gateway.port, 20),
    baseline: await timeToGreeting(baseline.port, 20),
    noDelay: await timeToGreeting(noDelay.port, 20),
  };
  out(
    `  connect -> 220, median of 20: gateway ${fmt(greet.gateway, 1)} ms, baseline ${fmt(greet.baseline, 1)} ms, ` +
      `baseline without the delay ${fmt(greet.noDelay, 1)} ms`,
  );
  const perConn: { name: string; r: PerConnectionResult }[] = [];
  for (const [concurrency, messages] of [
    [1, 20],
    [20, 200],
  ] as const) {
    for (const [name, target] of [
      ['baseline without greeting delay', noDelay],
      ['baseline', baseline],
      ['gateway (STARTTLS + AUTH argon2id)', gatewayTarget],
    ] as const) {
      const r = await runClient<PerConnectionResult>(
        {
          mode: 'per-connection',
          port: target.port,
          auth: target.auth,
          from,
          messages,
          sessions: 1,
          concurrency,
          seq: seq.n,
        },
        90_000,
      );
      seq.n += messages;
      perConn.push({ name, r });
      out(perConnLine(r, name));
    }
  }

  out('\n2b. Unblock propagation: unblock call returned -> first RCPT 250 on a kept session (ms)');
  const propagation = await withinMs(
    300_000,
    'unblock propagation',
    unblockPropagation(gateway, { SENDWARDEN_DATA_DIR: path.join(dir, 'gateway') }, 5),
  );
  out(
    `  through the API (same node): ${propagation.apiMs.map((v) => fmt(v, 1)).join(', ')}; ` +
      `through the CLI (another process): ${propagation.cliMs.map((v) => fmt(v, 1)).join(', ')}`,
  );
  if (args['gateway-only']) return 0;

  out('\n3. Overshoot: 50 parallel sessions of one user, 6 external recipients each, limit 100 per hour');
  const over = await withinMs(
    60_000,
    'overshoot',
    overshoot(gateway, { connections: 50, perConnection: 6, limit: 100 }),
  );
  out(
    `  attempted ${over.attempted}, accepted ${over.accepted}, beyond the limit ${over.overshoot} (must be 0), ` +
      `handed to the next hop ${over.delivered}`,
  );
  for (const [line, count] of Object.entries(over.refusals)) out(`    ${String(count).padStart(4)} x ${line}`);

  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const redis = (await redisAnswers(redisUrl)) ? redisUrl : undefined;

  out('\n4. Decision time: Submission.checkRecipient in-process, SQLite store');
  const decisions = await withinMs(120_000, 'decision times', decisionTimes(path.join(dir, 'decide'), 5000, redis));
  for (const d of decisions.results)
    out(
      `  ${d.counters.padEnd(32)} p50 ${fmt(d.p50Us)} us, p99 ${fmt(d.p99Us)} us, mean ${fmt(d.meanUs)} us ` +
        `(${d.samples} calls${d.refused ? `, ${d.refused} refused!` : ''})`,
    );
  if (decisions.redisNote) out(`  ${decisions.redisNote}`);
  if (!redis) out(`  Redis: nothing answers at ${redisUrl}; skipped`);

  out('\n5. Memory per 10,000 active users (heap delta after gc, child process with --expose-gc)');
  const mem = await memoryProbe(10_000, redis);
  for (const [key, value] of Object.entries(mem)) {
    if (key === 'users') continue;
    const v = value as { bytes?: number; keys?: number; error?: string };
    out(
      v.error
        ? `  ${key.padEnd(22)} ${v.error}`
        : `  ${key.padEnd(22)} ${fmt((v.bytes ?? 0) / 2 ** 20, 1)} MiB (${fmt((v.bytes ?? 0) / 10_000)} B per user, ${fmt(v.keys ?? 0)} keys)`,
    );
  }

  const withRspamd = await rspamdSection(seq);
  await whatIfSection(7);
  await withinMs(900_000, 'the scale section', scaleSection(8, out)).catch((err: unknown) =>
    out(`  scale: ${(err as Error).message}`),
  );

  out('\nSummary');
  out(`  CLI: users list / node -e 0 = ${fmt(cliRatio, 1)} (goal <= 4)`);
  out(`  kept sessions: gateway/baseline = ${fmt(gwRate / baseRate, 2)} (${fmt(gwRate)} / ${fmt(baseRate)} msg/s)`);
  const pc = (name: string, c: number) =>
    perConn.find((p) => p.name === name && p.r.concurrency === c)?.r.perSecond ?? NaN;
  out(
    `  one per connection, 20 clients: gateway ${fmt(pc('gateway (STARTTLS + AUTH argon2id)', 20), 1)}, ` +
      `baseline ${fmt(pc('baseline', 20), 1)}, without greeting delay ${fmt(pc('baseline without greeting delay', 20), 1)} msg/s`,
  );
  out(`  greeting: ${fmt(greet.gateway, 1)} ms (smtp-server's fixed early-talker wait)`);
  const mem0 = decisions.results[0];
  if (mem0) out(`  decision p50/p99: ${fmt(mem0.p50Us)} / ${fmt(mem0.p99Us)} us (in-process counters)`);
  out(`  overshoot: ${over.overshoot}`);
  out(
    `  rspamd on: ${withRspamd ? `gateway/baseline = ${fmt(withRspamd.ratio, 2)} (${fmt(withRspamd.gateway)} / ${fmt(withRspamd.baseline)} msg/s)` : 'skipped'}`,
  );
  out(`  total ${fmt((performance.now() - started) / 1000, 1)} s, load average now ${os.loadavg()[0]?.toFixed(1)}`);
  return over.overshoot === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  out(`\nbench: gave up after ${WATCHDOG_MS / 60_000} minutes`);
  void cleanUp().finally(() => process.exit(2));
}, WATCHDOG_MS);

let code = 1;
try {
  code = await main();
} catch (err) {
  out(`\nbench failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}
process.exit(code);

/**
 * Where the gateway's time goes on kept sessions (`node --import tsx bench/profile.ts
 * [--messages N] [--sessions K] [--bytes B] [--per-connection] [--out FILE]`): the gateway exactly as bench/run.ts starts it,
 * one warm-up trial, then one trial of N messages with the V8 CPU profiler on (this process
 * only: the client runs in its own process, the next hop is smtp-sink) and every SQL
 * statement counted. Prints self time per package / source file, the hottest functions and
 * the statements per message; writes the .cpuprofile for Chrome DevTools when --out is given.
 * Only 127.0.0.1, bounded in count and time (5-minute watchdog), children killed on exit.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import type { ThroughputResult } from './harness.js';
import { children, startNextHop } from './next-hop.js';
import { runClient } from './remote-client.js';
import { startGateway, type GatewaySide } from './sides.js';
import { fmt } from './stats.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '10' },
    // Message size (the matrix uses 1,024 and 102,400).
    bytes: { type: 'string', default: '1024' },
    // One message per connection (K clients) instead of K kept sessions.
    'per-connection': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const N = Math.min(5000, Math.max(100, Number(args.messages)));
const K = Math.min(50, Math.max(1, Number(args.sessions)));
const BYTES = Math.min(10 * 1024 * 1024, Math.max(512, Number(args.bytes)));
const out = (line = '') => process.stdout.write(line + '\n');

/** One node of a V8 CPU profile (Profiler.stop). */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Every SQL statement the process prepares (Kysely's SQLite driver prepares once per query). */
const statements = new Map<string, number>();
let counting = false;
{
  const proto = BetterSqlite3.prototype as unknown as { prepare: (source: string) => unknown };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, source: string) {
    if (counting) {
      const key = source
        .replace(/\s+/g, ' ')
        .replace(/\(\?(, \?)*\)/g, '(?...)')
        .slice(0, 110);
      statements.set(key, (statements.get(key) ?? 0) + 1);
    }
    return prepare.call(this, source);
  };
}

/** Where a frame's code lives: a package, a source file of ours, a Node internal, or V8's own bucket. */
function bucketOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : `(native) ${name || 'anonymous'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const src = /\/(src|bench)\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

function summarise(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = profile.endTime - profile.startTime;
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (n === undefined) continue;
    const { url, functionName, lineNumber } = n.callFrame;
    const b = bucketOf(url, functionName);
    buckets.set(b, (buckets.get(b) ?? 0) + us);
    const f = `${functionName || '(anonymous)'}  ${b}:${lineNumber + 1}`;
    functions.set(f, (functions.get(f) ?? 0) + us);
  }
  // Inclusive time of a few frames (outermost occurrence on each stack only).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  const watch: [string, (n: ProfileNode) => boolean][] = [
    ['mailparser (simpleParser and its streams)', (n) => n.callFrame.url.includes('node_modules/mailparser/')],
    ['kysely (query building and driver)', (n) => n.callFrame.url.includes('node_modules/kysely/')],
    ['pino (logging)', (n) => n.callFrame.url.includes('node_modules/pino')],
    ['smtp-server', (n) => n.callFrame.url.includes('node_modules/smtp-server/')],
    ['nodemailer (relay pool)', (n) => n.callFrame.url.includes('node_modules/nodemailer/')],
    ['src/adapters/store', (n) => n.callFrame.url.includes('/src/adapters/store/')],
    ['src/core', (n) => n.callFrame.url.includes('/src/core/')],
  ];
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      for (const [label, test] of watch) if (!seen.has(label) && test(n)) seen.add(label);
    }
    for (const label of seen) inclusive.set(label, (inclusive.get(label) ?? 0) + us);
  }
  const top = (m: Map<string, number>, count: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  return { total, buckets: top(buckets, 25), functions: top(functions, 30), inclusive: top(inclusive, 20) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-profile-'));
  let gateway: GatewaySide | undefined;
  const nextHop = await startNextHop();
  try {
    gateway = await startGateway(path.join(dir, 'gateway'), nextHop.url);
    const from = 'sender@bench.example';
    const auth = { user: from, pass: await gateway.addSender(from) };
    const job = {
      mode: 'kept' as const,
      port: gateway.port,
      auth,
      from,
      messages: N,
      sessions: K,
      concurrency: K,
      bytes: BYTES,
    };
    const warm = await runClient<ThroughputResult>({ ...job, seq: 0 }, 120_000);
    out(`warm-up: ${fmt(warm.perSecond)} msg/s${warm.failed ? `  FAILED ${warm.failed}: ${warm.firstError}` : ''}`);

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    const cpu0 = process.cpuUsage();
    counting = true;
    await session.post('Profiler.start');
    const r = await runClient<ThroughputResult>({ ...job, seq: N + K * 10 }, 120_000);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    counting = false;
    const cpu = process.cpuUsage(cpu0);
    session.disconnect();
    // Each message of the trial, plus the client's 5 warm-up messages per session.
    const messages = args['per-connection'] ? N : N + K * 5;
    out(
      `profiled trial: ${fmt(r.perSecond)} msg/s (${N} in ${fmt(r.elapsedMs)} ms)${r.failed ? `  FAILED ${r.failed}: ${r.firstError}` : ''}`,
    );
    out(
      `server process CPU: ${fmt((cpu.user + cpu.system) / 1000)} ms (user ${fmt(cpu.user / 1000)}, system ${fmt(cpu.system / 1000)}) ` +
        `= ${fmt((cpu.user + cpu.system) / messages)} us per message`,
    );
    if (args.out !== undefined) {
      await writeFile(args.out, JSON.stringify(profile));
      out(`profile written to ${args.out}`);
    }
    const s = summarise(profile);
    const pct = (us: number) =>
      `${fmt((us / s.total) * 100, 1).padStart(5)} %  ${fmt(us / messages).padStart(4)} us/msg`;
    out(`\nSelf time by package / file (wall ${fmt(s.total / 1000)} ms sampled):`);
    for (const [b, us] of s.buckets) out(`  ${pct(us)}  ${b}`);
    out('\nInclusive time (any frame of it on the stack):');
    for (const [b, us] of s.inclusive) out(`  ${pct(us)}  ${b}`);
    out('\nHottest functions (self time):');
    for (const [f, us] of s.functions) out(`  ${pct(us)}  ${f}`);
    out(`\nSQL statements prepared per message (${messages} messages):`);
    let all = 0;
    for (const [sqlText, count] of [...statements.entries()].sort((a, b) => b[1] - a[1])) {
      all += count;
      out(`  ${fmt(count / messages, 2).padStart(6)}  ${sqlText}`);
    }
    out(`  ${fmt(all / messages, 2).padStart(6)}  in all`);
  } finally {
    await gateway?.close();
    await nextHop.close();
    await rm(dir, { recursive: true, force: true });
  }
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const watchdog = setTimeout(() => {
  out('profile: gave up after 5 minutes');
  process.exit(2);
}, 5 * 60_000);
try {
  await main();
} catch (err) {
  out(`profile failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
}
process.exit(process.exitCode ?? 0);

/**
 * `npm run bench -- --peers`, second part: the gateway against the bare relaying smtp-server
 * (bench/sides.ts, same next hop, same certificate, same client process) over a matrix:
 * 10 and 50 kept sessions x 1 KB and 100 KB messages, and one message per connection
 * (10 and 50 clients, 1 KB). Rounds alternate the order of the two sides. Both servers run in
 * this process (the client in its own, the next hop is smtp-sink), so process.cpuUsage around a
 * side's run is that side's CPU: it is reported per message (the kept cells' 5 warm-up messages
 * per session included) beside the rates.
 */
import path from 'node:path';
import type { PerConnectionResult, ThroughputResult } from './harness.js';
import { runClient } from './remote-client.js';
import { startBaseline, startGateway, type Target } from './sides.js';
import { fmt, mean } from './stats.js';

export interface MatrixCell {
  readonly label: string;
  readonly gateway: number;
  readonly baseline: number;
  readonly ratio: number;
  /** This process's CPU (user + system) per message while the side ran, in microseconds. */
  readonly gatewayCpuUs: number;
  readonly baselineCpuUs: number;
}

interface Cell {
  readonly label: string;
  readonly mode: 'kept' | 'per-connection';
  readonly sessions: number;
  readonly bytes: number;
  readonly messages: number;
}

const CELLS: readonly Cell[] = [
  { label: 'kept, 10 sessions, 1 KB', mode: 'kept', sessions: 10, bytes: 1024, messages: 2000 },
  { label: 'kept, 50 sessions, 1 KB', mode: 'kept', sessions: 50, bytes: 1024, messages: 2000 },
  { label: 'kept, 10 sessions, 100 KB', mode: 'kept', sessions: 10, bytes: 100 * 1024, messages: 500 },
  { label: 'kept, 50 sessions, 100 KB', mode: 'kept', sessions: 50, bytes: 100 * 1024, messages: 500 },
  { label: 'one per connection, 10 clients, 1 KB', mode: 'per-connection', sessions: 10, bytes: 1024, messages: 100 },
  { label: 'one per connection, 50 clients, 1 KB', mode: 'per-connection', sessions: 50, bytes: 1024, messages: 150 },
];

export async function gatewayMatrix(
  dir: string,
  nextHopUrl: string,
  rounds: number,
  out: (line: string) => void,
  cleanups: (() => Promise<void>)[],
): Promise<MatrixCell[]> {
  const gateway = await startGateway(path.join(dir, 'gateway-matrix'), nextHopUrl);
  cleanups.push(() => gateway.close());
  const baseline = await startBaseline(nextHopUrl, gateway.tls);
  cleanups.push(() => baseline.close());
  let seq = 10_000_000;
  const cells: MatrixCell[] = [];
  for (const [i, cell] of CELLS.entries()) {
    // A sender per cell: its 2 x (messages + warm-up) stay under THROUGHPUT_LIMITS' 10,000 messages a minute.
    const from = `matrix${i}@bench.example`;
    const gatewayTarget: Target = { ...gateway, auth: { user: from, pass: await gateway.addSender(from) } };
    const rates = { gateway: [] as number[], baseline: [] as number[] };
    const cpuUs = { gateway: [] as number[], baseline: [] as number[] };
    const sent = cell.messages + (cell.mode === 'kept' ? cell.sessions * 5 : 0);
    const notes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['baseline', 'gateway'] as const) : (['gateway', 'baseline'] as const);
      for (const side of order) {
        const target = side === 'gateway' ? gatewayTarget : baseline;
        const cpu0 = process.cpuUsage();
        const r = await runClient<ThroughputResult | PerConnectionResult>(
          {
            mode: cell.mode,
            port: target.port,
            ...(target.auth ? { auth: target.auth } : {}),
            from,
            messages: cell.messages,
            sessions: cell.sessions,
            concurrency: cell.sessions,
            seq,
            bytes: cell.bytes,
          },
          240_000,
        );
        const cpu = process.cpuUsage(cpu0);
        cpuUs[side].push((cpu.user + cpu.system) / sent);
        seq += cell.messages + cell.sessions * 5;
        rates[side].push(r.perSecond);
        if (r.failed) notes.push(`${side} FAILED ${r.failed}: ${r.firstError}`);
      }
    }
    const g = mean(rates.gateway);
    const b = mean(rates.baseline);
    const gCpu = mean(cpuUs.gateway);
    const bCpu = mean(cpuUs.baseline);
    cells.push({ label: cell.label, gateway: g, baseline: b, ratio: g / b, gatewayCpuUs: gCpu, baselineCpuUs: bCpu });
    const perRound = rates.gateway.map((x, i) => fmt(x / (rates.baseline[i] ?? NaN), 2)).join(', ');
    out(
      `  ${cell.label.padEnd(38)} gateway ${fmt(g, 1).padStart(7)} msg/s, bare relay ${fmt(b, 1).padStart(7)} msg/s: ` +
        `ratio ${fmt(g / b, 2)} (per round ${perRound})${notes.length ? `  ${notes.join('; ')}` : ''}`,
    );
    out(
      `  ${''.padEnd(38)} CPU per message: gateway ${fmt(gCpu)} us, bare relay ${fmt(bCpu)} us ` +
        `(bare/gateway ${fmt(bCpu / gCpu, 2)}; per round gateway ${cpuUs.gateway.map((x) => fmt(x)).join(', ')}, ` +
        `bare ${cpuUs.baseline.map((x) => fmt(x)).join(', ')})`,
    );
  }
  return cells;
}

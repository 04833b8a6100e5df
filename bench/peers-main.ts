/**
 * `npm run bench -- --peers [--rounds R] [--peers-requests N]`: the policy service beside its
 * peers (bench/peers.ts), then the gateway matrix (bench/gateway-matrix.ts); `--matrix-only`
 * runs only the matrix, `--peers-skip-matrix` only the policy services. The figures are in
 * docs/benchmarks.md, "Against the peers".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gatewayMatrix } from './gateway-matrix.js';
import { startNextHop } from './next-hop.js';
import { peersSection, type PeersResult } from './peers.js';
import { fmt } from './stats.js';

export async function peersMain(o: {
  requests: number;
  rounds: number;
  redisUrl: string | undefined;
  /** P2, the gateway matrix (default on). */
  matrix: boolean;
  /** Only P2: the policy services (P1) are skipped. */
  matrixOnly?: boolean;
  out: (line: string) => void;
  cleanups: (() => Promise<void>)[];
}): Promise<number> {
  const { out, cleanups } = o;
  const started = performance.now();
  out(`Sendwarden bench --peers  ${new Date().toISOString()}`);
  out(
    `  node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${o.rounds} rounds per side, order alternated`,
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-bench-peers-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const mark = cleanups.length;

  const requests = Math.round(o.requests / 200) * 200;
  let peers: PeersResult = { sides: [], configs: [] };
  if (!o.matrixOnly) {
    out('\nP1. Postfix policy service: Sendwarden vs policyd-rate-limit, postfwd1, postfwd2 (one load client process)');
    peers = await peersSection(
      dir,
      { requests, connections: 10, users: 100, rounds: o.rounds, redisUrl: o.redisUrl },
      out,
      cleanups,
    );
  }
  // The policy nodes are not needed for the matrix: stop them (and the peers) before it starts.
  for (const c of cleanups.splice(mark).reverse()) await c().catch(() => undefined);

  const cells: Awaited<ReturnType<typeof gatewayMatrix>> = [];
  if (o.matrix || o.matrixOnly) {
    out('\nP2. Gateway matrix: Sendwarden vs a bare relaying smtp-server (client process: nodemailer, STARTTLS)');
    const nextHop = await startNextHop();
    cleanups.push(() => nextHop.close());
    out(`  next hop: ${nextHop.kind} at ${nextHop.url}`);
    cells.push(...(await gatewayMatrix(dir, nextHop.url, o.rounds, out, cleanups)));
  }

  out('\nSummary --peers');
  for (const s of peers.sides)
    out(
      `  ${s.name.padEnd(33)} ${fmt(s.perSecond.reduce((a, b) => a + b, 0) / s.perSecond.length).padStart(6)} req/s, split ${s.splitOk ? 'ok' : 'WRONG'}`,
    );
  for (const c of cells)
    out(
      `  ${c.label.padEnd(38)} gateway/bare relay ${fmt(c.ratio, 2)}, CPU us/message gateway ${fmt(c.gatewayCpuUs)}, bare relay ${fmt(c.baselineCpuUs)}`,
    );
  out(`  total ${fmt((performance.now() - started) / 1000, 1)} s, load average now ${os.loadavg()[0]?.toFixed(1)}`);
  return peers.sides.every((s) => s.splitOk) ? 0 : 1;
}

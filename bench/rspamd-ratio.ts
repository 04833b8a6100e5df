/**
 * `npm run bench` section 6 (issue 15): the gateway with Rspamd on (SENDWARDEN_RSPAMD_URL) against
 * the bare relay calling the same Rspamd before relaying, kept sessions, 1 KB messages. A real
 * Rspamd (test/support/rspamd.ts: own config, free 127.0.0.1 ports, no network lookups) is started
 * and stopped here; without the rspamd binary the section is skipped.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRspamd } from '../test/support/rspamd.js';
import type { ThroughputResult } from './harness.js';
import { runClient } from './remote-client.js';
import { startBaseline, startGateway, type Target } from './sides.js';
import { fmt, mean } from './stats.js';

export interface RspamdRatio {
  readonly gateway: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly rounds: readonly string[];
}

/** Runs the section; returns null (and says why) when Rspamd is not installed. */
export async function rspamdRatio(
  dir: string,
  nextHopUrl: string,
  o: { messages: number; sessions: number; rounds: number; seq: { n: number } },
  out: (line: string) => void,
  cleanups: (() => Promise<void>)[],
): Promise<RspamdRatio | null> {
  if (spawnSync('rspamd', ['--version']).status !== 0) {
    out('  rspamd is not installed (apt-get install rspamd); skipped');
    return null;
  }
  const rspamd = await createRspamd();
  cleanups.push(() => rspamd.dispose());
  await rspamd.start();
  const gateway = await startGateway(path.join(dir, 'gateway-rspamd'), nextHopUrl, {
    env: { SENDWARDEN_RSPAMD_URL: rspamd.url },
    name: 'gateway + rspamd',
  });
  cleanups.push(() => gateway.close());
  const from = 'sender@bench.example';
  const gw: Target = { ...gateway, auth: { user: from, pass: await gateway.addSender(from) } };
  const base = await startBaseline(nextHopUrl, gateway.tls, { rspamdUrl: rspamd.url });
  cleanups.push(() => base.close());
  const rates: Record<'gateway' | 'baseline', number[]> = { gateway: [], baseline: [] };
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? (['baseline', 'gateway'] as const) : (['gateway', 'baseline'] as const);
    for (const side of order) {
      const target = side === 'gateway' ? gw : base;
      const r = await runClient<ThroughputResult>(
        {
          mode: 'kept',
          port: target.port,
          auth: target.auth,
          from,
          messages: o.messages,
          sessions: o.sessions,
          concurrency: o.sessions,
          seq: o.seq.n,
        },
        180_000,
      );
      o.seq.n += o.messages + o.sessions * 5;
      rates[side].push(r.perSecond);
      out(
        `  round ${round + 1} ${target.name.padEnd(17)} ${fmt(r.perSecond).padStart(6)} msg/s  (${o.messages} in ${fmt(r.elapsedMs)} ms)` +
          (r.failed ? `  FAILED ${r.failed}: ${r.firstError}` : ''),
      );
    }
  }
  const gateway_ = mean(rates.gateway);
  const baseline = mean(rates.baseline);
  const rounds = rates.gateway.map((g, i) => fmt(g / (rates.baseline[i] ?? NaN), 2));
  out(
    `  => gateway + rspamd ${fmt(gateway_)} msg/s vs baseline + rspamd ${fmt(baseline)} msg/s: ratio ${fmt(gateway_ / baseline, 2)} (per round ${rounds.join(', ')})`,
  );
  return { gateway: gateway_, baseline, ratio: gateway_ / baseline, rounds };
}

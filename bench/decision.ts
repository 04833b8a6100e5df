/**
 * Decision time: Submission.checkRecipient called in-process (no socket), on a real SQLite
 * store, wired as startServers wires it, with in-process counters and, when Redis answers,
 * with Redis counters under a throwaway key prefix (removed afterwards).
 */
import { randomBytes } from 'node:crypto';
import { legacySendingState } from './legacy-sending-state.js';
import { pino } from 'pino';
import { RedisCounters } from '../src/adapters/counters/redis-counters.js';
import { loadConfig } from '../src/config.js';
import { builtInContentScorer } from '../src/core/policy/content-scorer.js';
import { Submission } from '../src/core/sending/submission.js';
import { buildApp, type App } from '../src/main.js';
import type { CounterStore } from '../src/ports/counter-store.js';
import { BENCH_PRINCIPAL, THROUGHPUT_LIMITS } from './sides.js';
import { percentile } from './stats.js';

export interface DecisionTimes {
  readonly counters: string;
  readonly samples: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  readonly refused: number;
}

/**
 * The Submission of createCoreServices (src/core/services.ts), on `counters`; with `legacyReads`,
 * without the one-round-trip read (SubmissionDeps.sendingState), as before it existed.
 */
function submissionOf(app: App, counters: CounterStore, legacyReads = false): Submission {
  return new Submission({
    uow: app.store.uow,
    counters,
    clock: app.clock,
    scorer: builtInContentScorer,
    restrict: (input) => app.restrictions.restrictUser(input),
    activeRestriction: (userId) => app.restrictions.activeRestriction(userId),
    raiseAlert: (input) => app.alerts.raise(input),
    sendingState: legacyReads ? legacySendingState(app.store.uow) : app.store.stores.sendingState,
  });
}

async function measure(
  app: App,
  counters: CounterStore,
  label: string,
  samples: number,
  email: string,
  legacyReads = false,
): Promise<DecisionTimes> {
  const submission = submissionOf(app, counters, legacyReads);
  const user = await app.directory.addUser(BENCH_PRINCIPAL, { email, displayName: 'Bench decisions' });
  const envelope = { user, clientAddress: '127.0.0.1', mailFrom: user.email, accepted: [] as string[] };
  let refused = 0;
  const warmUp = Math.min(500, samples);
  for (let i = 0; i < warmUp; i++) await submission.checkRecipient(envelope, `warm${i}@fabrikam.example`);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const decision = await submission.checkRecipient(envelope, `reader${i}@fabrikam.example`);
    times.push((performance.now() - t0) * 1000);
    if (decision.kind !== 'accept') refused += 1;
  }
  return {
    counters: label,
    samples,
    p50Us: percentile(times, 50),
    p99Us: percentile(times, 99),
    meanUs: times.reduce((a, b) => a + b, 0) / times.length,
    refused,
  };
}

export async function decisionTimes(dataDir: string, samples: number, redisUrl: string | undefined) {
  const config = loadConfig({ SENDWARDEN_DATA_DIR: dataDir, SENDWARDEN_LOG_LEVEL: 'warn' });
  const app = await buildApp(config, pino({ level: 'warn' }, pino.destination(2)));
  const results: DecisionTimes[] = [];
  let redisNote: string | undefined;
  try {
    await app.policyAdmin.update(BENCH_PRINCIPAL, { limits: THROUGHPUT_LIMITS });
    results.push(await measure(app, app.counters, 'in-process (MemoryCounters)', samples, 'decide-mem@bench.example'));
    results.push(
      await measure(app, app.counters, 'in-process, reads one by one', samples, 'decide-legacy@bench.example', true),
    );
    if (redisUrl !== undefined) {
      const keyPrefix = `sw:bench:${randomBytes(6).toString('hex')}:`;
      let redis: RedisCounters | undefined;
      try {
        redis = await RedisCounters.connect({ url: redisUrl, keyPrefix });
        results.push(
          await measure(app, redis, 'Redis (RedisCounters, 1 client)', samples, 'decide-redis@bench.example'),
        );
      } catch (err) {
        redisNote = `Redis at ${redisUrl} skipped: ${(err as Error).message}`;
      } finally {
        await redis?.reset('').catch(() => undefined);
        await redis?.close();
      }
    }
  } finally {
    await app.close();
  }
  return { results, redisNote };
}

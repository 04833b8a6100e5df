/**
 * Memory per active user's windows, in its own process so the heap holds nothing else:
 *   node --expose-gc --import tsx bench/memory-probe.ts <users> [redisUrl]
 * Prints one JSON line. Each user sends one message to one external recipient, producing
 * exactly the keys Submission touches (checkSender, checkRecipient, checkMessage): msg, addr,
 * newaddr, ext, day, burst, body:<sha256>. A second scenario holds only the four limit windows
 * (msg, ext, int, day), the figure the MemoryCounters doc comment quotes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryCounters } from '../src/adapters/counters/memory-counters.js';
import { RedisCounters } from '../src/adapters/counters/redis-counters.js';
import { counterKeys, DAY_MS, HOUR_MS, MINUTE_MS } from '../src/core/policy/sending-limits.js';
import { BURST_WINDOW_MS } from '../src/core/sending/submission.js';
import type { CounterStore } from '../src/ports/counter-store.js';

type Scenario = 'one-message' | 'four-windows';

async function fill(counters: CounterStore, userIds: readonly string[], scenario: Scenario, now: Date): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < userIds.length) {
      const id = userIds[next++] as string;
      if (scenario === 'four-windows') {
        await counters.consume(
          [
            { key: counterKeys.messages(id), windowMs: MINUTE_MS, limit: 30, amount: 1 },
            { key: counterKeys.external(id), windowMs: HOUR_MS, limit: 500, amount: 1 },
            { key: counterKeys.internal(id), windowMs: HOUR_MS, limit: 1000, amount: 1 },
            { key: counterKeys.perDay(id), windowMs: DAY_MS, limit: 2000, amount: 2 },
          ],
          now,
        );
        continue;
      }
      const address = `203.0.113.${next % 250}`;
      await counters.consume(
        [
          { key: counterKeys.messages(id), windowMs: MINUTE_MS, limit: 30, amount: 1 },
          { key: counterKeys.clientAddress(id, address), windowMs: DAY_MS, limit: 0, amount: 1 },
        ],
        now,
      );
      await counters.consume(
        [{ key: counterKeys.newAddress(id), windowMs: BURST_WINDOW_MS, limit: 0, amount: 1 }],
        now,
      );
      await counters.consume(
        [
          { key: counterKeys.external(id), windowMs: HOUR_MS, limit: 500, amount: 1 },
          { key: counterKeys.perDay(id), windowMs: DAY_MS, limit: 2000, amount: 1 },
          { key: counterKeys.burst(id), windowMs: BURST_WINDOW_MS, limit: 0, amount: 1 },
          { key: counterKeys.newAddress(id), windowMs: BURST_WINDOW_MS, limit: 0, amount: 0 },
        ],
        now,
      );
      await counters.consume(
        [{ key: counterKeys.body(id, randomBytes(32).toString('hex')), windowMs: HOUR_MS, limit: 0, amount: 1 }],
        now,
      );
    }
  };
  // Memory: one caller is enough. Redis: 50 in flight, as many sessions would be.
  await Promise.all(Array.from({ length: counters instanceof MemoryCounters ? 1 : 50 }, worker));
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function memoryDelta(
  users: number,
  scenario: Scenario,
): Promise<{ bytes: number; bytesPerUser: number; rssPerUser: number; keys: number }> {
  const ids = Array.from({ length: users }, () => randomUUID());
  const before = heapAfterGc();
  // RSS of this process (a child of bench/run.ts holding nothing else), after the same GCs.
  const rssBefore = process.memoryUsage().rss;
  const counters = new MemoryCounters();
  await fill(counters, ids, scenario, new Date());
  const after = heapAfterGc();
  const rssAfter = process.memoryUsage().rss;
  const keys = counters.size;
  await counters.close();
  return {
    bytes: after - before,
    bytesPerUser: Math.round((after - before) / users),
    rssPerUser: Math.round((rssAfter - rssBefore) / users),
    keys,
  };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  if (m === null) throw new Error('INFO memory has no used_memory');
  return Number(m[1]);
}

async function redisDelta(url: string, users: number, scenario: Scenario): Promise<{ bytes: number; keys: number }> {
  const prefix = `sw:bench:${randomBytes(6).toString('hex')}:`;
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 1 });
  probe.on('error', () => undefined);
  const counters = await RedisCounters.connect({ url, keyPrefix: prefix });
  try {
    await probe.connect();
    // Load the script once before the first reading, so its cache entry is not counted.
    await counters.peek([{ key: 'warm', windowMs: 1000 }], new Date());
    const before = await usedMemory(probe);
    await fill(
      counters,
      Array.from({ length: users }, () => randomUUID()),
      scenario,
      new Date(),
    );
    const after = await usedMemory(probe);
    let keys = 0;
    let cursor = '0';
    do {
      const [next, found] = await probe.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys += found.length;
      cursor = next;
    } while (cursor !== '0');
    return { bytes: after - before, keys };
  } finally {
    await counters.reset('').catch(() => undefined);
    await counters.close();
    probe.disconnect();
  }
}

const users = Number(process.argv[2] ?? 10_000);
const redisUrl = process.argv[3];
const out: Record<string, unknown> = { users };
for (const scenario of ['one-message', 'four-windows'] as const) {
  out[`memory:${scenario}`] = await memoryDelta(users, scenario);
  if (redisUrl) {
    try {
      out[`redis:${scenario}`] = await redisDelta(redisUrl, users, scenario);
    } catch (err) {
      out[`redis:${scenario}`] = { error: (err as Error).message };
    }
  }
}
process.stdout.write(JSON.stringify(out) + '\n');

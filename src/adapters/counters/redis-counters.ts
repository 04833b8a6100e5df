import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { CounterStore, WindowCheck, WindowResult } from '../../ports/counter-store.js';
import { CONSUME_LUA } from './lua/consume.js';
import { BUCKETS_PER_WINDOW } from '../../core/counting/sliding-window.js';

export interface RedisCountersOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly url: string;
  /** Prepended to every key, e.g. "sw:" (tests use a unique prefix each). Default "sw:c:". */
  readonly keyPrefix?: string;
  /** How long to wait for a connection and for each command before deferring mail. Default 1000 ms. */
  readonly timeoutMs?: number;
}

const CONSUME_SHA = createHash('sha1').update(CONSUME_LUA).digest('hex');

/**
 * Sliding-window counters in Redis, shared by every node. Each consume (and peek) is ONE Lua
 * script over all its keys, so parallel sessions on any number of nodes can never overshoot
 * a limit. Same bucket rules and precision as MemoryCounters (see sliding-window.ts); the
 * time is the caller's `now`, so nodes should keep their clocks in sync (NTP).
 *
 * Fails fast when Redis does not answer (no offline queue, short connect and command
 * timeouts): the caller gets DomainError COUNTERS_UNAVAILABLE and SMTP answers 451 4.3.0
 * instead of hanging. ioredis keeps reconnecting in the background.
 *
 * Memory (Redis 7, INFO used_memory delta): 10,000 users with four windows each take about
 * 8 MB (~0.8 kB per user; small hashes are listpack-encoded). Keys of one consume may live on
 * different cluster slots, so Redis Cluster is not supported; use one primary (with replicas).
 */
export class RedisCounters implements CounterStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #where: string;
  readonly #timeoutMs: number;

  constructor(options: RedisCountersOptions) {
    const timeout = options.timeoutMs ?? 1000;
    this.#prefix = options.keyPrefix ?? 'sw:c:';
    this.#where = describeUrl(options.url);
    this.#timeoutMs = timeout;
    const redis = new Redis(options.url, {
      connectTimeout: timeout,
      commandTimeout: timeout,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // No auto-pipelining: ioredis keeps one auto-pipeline in flight at a time, so a command issued
      // while one is out waits a whole round trip before it is even written, and the queued commands
      // outlive a young-generation GC (1.2 MB promoted per scavenge under load, pauses of 5-6 ms).
      // Each consume is one script call written at once (docs/benchmarks.md, 2026-12-03 evening).
      enableAutoPipelining: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Without a listener ioredis prints every failed reconnect; the failures surface per call instead.
    redis.on('error', () => undefined);
    this.#redis = redis;
  }

  /** Creates the counters and waits until Redis answers (COUNTERS_UNAVAILABLE if it does not). */
  static async connect(options: RedisCountersOptions): Promise<RedisCounters> {
    const counters = new RedisCounters(options);
    try {
      await counters.#ready(options.timeoutMs ?? 1000);
    } catch (err) {
      await counters.close();
      throw err;
    }
    return counters;
  }

  async consume(checks: readonly WindowCheck[], now: Date): Promise<WindowResult> {
    if (checks.length === 0) return { allowed: true, totals: [], failedIndex: -1 };
    const [result] = await this.consumeInOrder([checks], now);
    return result as WindowResult;
  }

  async consumeInOrder(groups: readonly (readonly WindowCheck[])[], now: Date): Promise<readonly WindowResult[]> {
    if (groups.length === 0) return [];
    const reply = await this.#run(groups, 'consume', now);
    const results: WindowResult[] = [];
    let at = 0;
    for (const group of groups) {
      if (at >= reply.length) break;
      const failedIndex = Number(reply[at]);
      results.push({
        allowed: failedIndex === -1,
        totals: reply.slice(at + 1, at + 1 + group.length).map(Number),
        failedIndex,
      });
      at += 1 + group.length;
    }
    return results;
  }

  async peek(keys: readonly { key: string; windowMs: number }[], now: Date): Promise<readonly number[]> {
    if (keys.length === 0) return [];
    const reply = await this.#run(
      [keys.map((k) => ({ key: k.key, windowMs: k.windowMs, limit: 0, amount: 0 }))],
      'peek',
      now,
    );
    return reply.slice(1).map(Number);
  }

  async reset(prefix: string): Promise<void> {
    const pattern = `${escapeGlob(this.#prefix + prefix)}*`;
    await this.#guard(async () => {
      await this.#whenConnected();
      let cursor = '0';
      do {
        const [next, keys] = await this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (keys.length > 0) await this.#redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    try {
      if (this.#redis.status === 'ready') await this.#redis.quit();
      else this.#redis.disconnect();
    } catch {
      this.#redis.disconnect();
    }
  }

  /** One script call over the groups. */
  #run(groups: readonly (readonly WindowCheck[])[], mode: 'consume' | 'peek', now: Date): Promise<number[]> {
    const { keys, args } = consumeScriptArguments(this.#prefix, groups, mode, now);
    return this.#guard(async () => {
      await this.#whenConnected();
      // EVALSHA, and EVAL once when this Redis does not know the script yet (a restart, a flush):
      // measured fewer allocations per call than ioredis's defineCommand wrapper (docs/benchmarks.md).
      try {
        return (await this.#redis.evalsha(CONSUME_SHA, keys.length, ...keys, ...args)) as number[];
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return (await this.#redis.eval(CONSUME_LUA, keys.length, ...keys, ...args)) as number[];
      }
    });
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (cause) {
      if (isDomainError(cause)) throw cause;
      throw new DomainError(
        'COUNTERS_UNAVAILABLE',
        `The counter service at ${this.#where} does not answer; mail is deferred until it is back.`,
        { cause },
      );
    }
  }

  /** Right after start-up (or during a reconnect) waits up to the timeout instead of failing at once. */
  async #whenConnected(): Promise<void> {
    if (this.#redis.status !== 'ready') await this.#ready(this.#timeoutMs);
  }

  #ready(timeoutMs: number): Promise<void> {
    if (this.#redis.status === 'ready') return Promise.resolve();
    return this.#guard(
      () =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          const onReady = () => finish(null);
          const onError = (err: Error) => finish(err);
          const finish = (err: Error | null) => {
            clearTimeout(timer);
            this.#redis.off('ready', onReady);
            this.#redis.off('error', onError);
            if (err) reject(err);
            else resolve();
          };
          this.#redis.once('ready', onReady);
          this.#redis.once('error', onError);
        }),
    );
  }
}

/** KEYS and ARGV of one consume.lua call over the groups (see lua/consume.ts for the layout). */
export function consumeScriptArguments(
  prefix: string,
  groups: readonly (readonly WindowCheck[])[],
  mode: 'consume' | 'peek',
  now: Date,
): { keys: string[]; args: (string | number)[] } {
  const count = groups.reduce((n, g) => n + g.length, 0);
  const keys: string[] = [];
  const marks: string[] = [];
  const numbers: (string | number)[] = [];
  for (const group of groups) {
    for (const c of group) {
      keys.push(prefix + c.key);
      let markIndex = 0;
      if (c.marks !== undefined) {
        marks.push(prefix + c.marks.key);
        markIndex = count + marks.length;
      }
      numbers.push(c.windowMs, c.limit, c.amount, markIndex, c.marks?.windowMs ?? 0);
    }
  }
  for (const mark of marks) keys.push(mark);
  const sizes = groups.map((g) => g.length).join(',');
  return { keys, args: [now.getTime(), mode, BUCKETS_PER_WINDOW, sizes, numbers.join(',')] };
}

/** host:port of a Redis URL, without credentials, for messages. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * CounterStore conformance: the same suite over MemoryCounters and RedisCounters.
 * Fakes: none (time moves through the explicit `now` argument of every call).
 * Redis runs when it answers at TEST_REDIS_URL; each test uses its own key prefix and
 * deletes it afterwards, even when the test fails.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryCounters } from '../../src/adapters/counters/memory-counters.js';
import { RedisCounters } from '../../src/adapters/counters/redis-counters.js';
import { isDomainError } from '../../src/core/errors.js';
import type { CounterStore, WindowCheck } from '../../src/ports/counter-store.js';
import { HAS_REDIS, REDIS_URL } from '../support/services.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** 10:00:00 UTC, on a bucket boundary of every window used here. */
const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
const at = (ms: number) => new Date(T0 + ms);
const hourly = (key: string, limit: number, amount = 1): WindowCheck => ({ key, windowMs: HOUR, limit, amount });

interface Backend {
  readonly name: string;
  readonly enabled: boolean;
  /** A fresh store (or several handles on one store, as parallel nodes see it) and its cleanup. */
  open(handles: number): Promise<{ stores: CounterStore[]; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'memory',
    enabled: true,
    async open(handles) {
      const store = new MemoryCounters();
      return { stores: Array.from({ length: handles }, () => store), cleanup: () => store.close() };
    },
  },
  {
    name: 'redis',
    enabled: HAS_REDIS,
    async open(handles) {
      const keyPrefix = `sw:test:${randomUUID()}:`;
      const stores = await Promise.all(
        Array.from({ length: handles }, () => RedisCounters.connect({ url: REDIS_URL, keyPrefix })),
      );
      return {
        stores,
        cleanup: async () => {
          await stores[0]?.reset('');
          await Promise.all(stores.map((s) => s.close()));
        },
      };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`CounterStore on ${backend.name}`, () => {
    let store: CounterStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const opened = await backend.open(1);
      store = opened.stores[0] as CounterStore;
      cleanup = opened.cleanup;
    });
    afterEach(async () => {
      await cleanup();
    });

    it('allows exactly up to the limit and refuses the next one without adding it', async () => {
      for (let i = 1; i <= 5; i++) {
        const r = await store.consume([hourly('u:1:ext', 5)], at(i * SECOND));
        expect(r).toEqual({ allowed: true, totals: [i], failedIndex: -1 });
      }
      // A user would see the 6th external recipient accepted if this failed.
      expect(await store.consume([hourly('u:1:ext', 5)], at(6 * SECOND))).toEqual({
        allowed: false,
        totals: [5],
        failedIndex: 0,
      });
      expect(await store.peek([{ key: 'u:1:ext', windowMs: HOUR }], at(7 * SECOND))).toEqual([5]);
    });

    it('refuses an amount that would cross the limit but accepts one that lands on it', async () => {
      await store.consume([hourly('u:1:ext', 5, 3)], at(0));
      expect((await store.consume([hourly('u:1:ext', 5, 3)], at(1))).allowed).toBe(false);
      expect(await store.consume([hourly('u:1:ext', 5, 2)], at(2))).toEqual({
        allowed: true,
        totals: [5],
        failedIndex: -1,
      });
    });

    it('counts but never refuses under limit 0 (unlimited)', async () => {
      for (let i = 0; i < 3; i++) await store.consume([hourly('u:1:msg', 0, 100)], at(i));
      expect(await store.peek([{ key: 'u:1:msg', windowMs: HOUR }], at(10))).toEqual([300]);
    });

    it('slides: a burst at the end of the hour still counts just after the top of the hour', async () => {
      // A fixed hourly window would let 5 go at 10:59:59 and 5 more at 11:00:01.
      for (let i = 0; i < 5; i++) await store.consume([hourly('u:1:ext', 5)], at(HOUR - SECOND));
      const next = await store.consume([hourly('u:1:ext', 5)], at(HOUR + SECOND));
      expect(next.allowed).toBe(false);
      expect(next.totals).toEqual([5]);
    });

    it('forgets an amount no earlier than one hour and no later than one hour and one bucket (1 min)', async () => {
      const sentAt = 30 * MINUTE + 30 * SECOND; // in the middle of a one-minute bucket
      await store.consume([hourly('u:1:ext', 5, 5)], at(sentAt));
      expect((await store.consume([hourly('u:1:ext', 5)], at(sentAt + HOUR))).allowed).toBe(false);
      expect(await store.peek([{ key: 'u:1:ext', windowMs: HOUR }], at(sentAt + HOUR + 29 * SECOND))).toEqual([5]);
      expect(await store.peek([{ key: 'u:1:ext', windowMs: HOUR }], at(sentAt + HOUR + 30 * SECOND))).toEqual([0]);
      expect((await store.consume([hourly('u:1:ext', 5)], at(sentAt + HOUR + MINUTE))).allowed).toBe(true);
    });

    it('rolls over part by part: older amounts leave while newer ones stay', async () => {
      await store.consume([hourly('u:1:ext', 5, 3)], at(0));
      await store.consume([hourly('u:1:ext', 5, 2)], at(20 * MINUTE));
      expect((await store.consume([hourly('u:1:ext', 5)], at(40 * MINUTE))).allowed).toBe(false);
      // At 11:01 the three from 10:00 are gone, the two from 10:20 still count.
      expect((await store.consume([hourly('u:1:ext', 5, 4)], at(HOUR + MINUTE))).allowed).toBe(false);
      expect(await store.consume([hourly('u:1:ext', 5, 3)], at(HOUR + MINUTE))).toEqual({
        allowed: true,
        totals: [5],
        failedIndex: -1,
      });
      // At 11:21 only those three from 11:01 remain.
      expect(await store.peek([{ key: 'u:1:ext', windowMs: HOUR }], at(HOUR + 21 * MINUTE))).toEqual([3]);
    });

    it('keeps per-minute and per-day windows to the same rules', async () => {
      const perMinute = { key: 'u:1:msg', windowMs: MINUTE, limit: 2, amount: 1 };
      await store.consume([perMinute], at(0));
      await store.consume([perMinute], at(30 * SECOND));
      expect((await store.consume([perMinute], at(59 * SECOND))).allowed).toBe(false);
      expect((await store.consume([perMinute], at(61 * SECOND))).allowed).toBe(true);
      const perDay = { key: 'u:1:day', windowMs: 24 * HOUR, limit: 1, amount: 1 };
      await store.consume([perDay], at(0));
      expect((await store.consume([perDay], at(23 * HOUR))).allowed).toBe(false);
      expect((await store.consume([perDay], at(24 * HOUR + 24 * MINUTE))).allowed).toBe(true);
    });

    it('adds nothing anywhere when a later check fails (all or none)', async () => {
      await store.consume([hourly('u:1:day', 1)], at(0));
      const r = await store.consume([hourly('u:1:ext', 10), hourly('u:1:day', 1)], at(SECOND));
      expect(r).toEqual({ allowed: false, totals: [0, 1], failedIndex: 1 });
      // Had the first check been added, the user's external count would creep up on every refusal.
      expect(
        await store.peek(
          [
            { key: 'u:1:ext', windowMs: HOUR },
            { key: 'u:1:day', windowMs: HOUR },
          ],
          at(2 * SECOND),
        ),
      ).toEqual([0, 1]);
      const both = await store.consume([hourly('u:1:ext', 10), hourly('u:1:int', 10, 2)], at(3 * SECOND));
      expect(both).toEqual({ allowed: true, totals: [1, 2], failedIndex: -1 });
    });

    it('consumeInOrder runs the groups in order and stops after the first refused one', async () => {
      await store.consume([hourly('u:1:ext', 2, 2)], at(0));
      const r = await store.consumeInOrder(
        [[hourly('u:1:msg', 5)], [hourly('u:1:day', 0), hourly('u:1:ext', 2)], [hourly('u:1:never', 0, 9)]],
        at(SECOND),
      );
      // The first group stays added, the second (ext full) adds nothing, the third does not run.
      expect(r).toEqual([
        { allowed: true, totals: [1], failedIndex: -1 },
        { allowed: false, totals: [0, 2], failedIndex: 1 },
      ]);
      const keys = ['u:1:msg', 'u:1:day', 'u:1:ext', 'u:1:never'].map((key) => ({ key, windowMs: HOUR }));
      expect(await store.peek(keys, at(2 * SECOND))).toEqual([1, 0, 2, 0]);
      const all = await store.consumeInOrder([[hourly('u:1:msg', 5)], [hourly('u:1:day', 0)]], at(3 * SECOND));
      expect(all.map((g) => g.totals)).toEqual([[2], [1]]);
      expect(await store.consumeInOrder([], at(4 * SECOND))).toEqual([]);
    });

    it('a mark is added when its check starts from zero, and the next group sees it', async () => {
      const marked = (key: string): WindowCheck => ({ ...hourly(key, 0), marks: { key: 'u:1:new', windowMs: MINUTE } });
      const peekNew = { key: 'u:1:new', windowMs: MINUTE, limit: 0, amount: 0 };
      const first = await store.consumeInOrder([[marked('u:1:addr:a')], [peekNew]], at(0));
      expect(first.map((g) => g.totals)).toEqual([[1], [1]]);
      // The same address again: not the first in its window, no second mark.
      const again = await store.consumeInOrder([[marked('u:1:addr:a')], [peekNew]], at(SECOND));
      expect(again.map((g) => g.totals)).toEqual([[2], [1]]);
      // A refused group marks nothing.
      const refused = await store.consumeInOrder(
        [[{ ...hourly('u:1:addr:b', 1, 2), marks: { key: 'u:1:new', windowMs: MINUTE } }], [peekNew]],
        at(2 * SECOND),
      );
      expect(refused).toEqual([{ allowed: false, totals: [0], failedIndex: 0 }]);
      // A second new address marks again; the marks leave with their own (one-minute) window.
      const second = await store.consumeInOrder([[marked('u:1:addr:c')], [peekNew]], at(3 * SECOND));
      expect(second.map((g) => g.totals)).toEqual([[1], [2]]);
      expect(await store.peek([{ key: 'u:1:new', windowMs: MINUTE }], at(3 * SECOND + 2 * MINUTE))).toEqual([0]);
      expect(await store.peek([{ key: 'u:1:addr:a', windowMs: HOUR }], at(3 * SECOND + 2 * MINUTE))).toEqual([2]);
    });

    it('reset(prefix) forgets only the counters under that prefix', async () => {
      await store.consume([hourly('u:1:ext', 0, 4), hourly('u:1:day', 0, 4), hourly('u:12:ext', 0, 7)], at(0));
      await store.reset('u:1:');
      const keys = ['u:1:ext', 'u:1:day', 'u:12:ext'].map((key) => ({ key, windowMs: HOUR }));
      expect(await store.peek(keys, at(SECOND))).toEqual([0, 0, 7]);
    });

    it('peek adds nothing', async () => {
      await store.peek([{ key: 'u:1:ext', windowMs: HOUR }], at(0));
      expect(await store.consume([hourly('u:1:ext', 1)], at(1))).toEqual({
        allowed: true,
        totals: [1],
        failedIndex: -1,
      });
    });

    it('race: 200 parallel consumes against limit 30 allow exactly 30, five times over', async () => {
      const many = await backend.open(4); // several connections, as several SMTP nodes would have
      try {
        for (let round = 0; round < 5; round++) {
          const key = `u:race:${round}`;
          const results = await Promise.all(
            Array.from({ length: 200 }, (_, i) =>
              (many.stores[i % many.stores.length] as CounterStore).consume(
                [hourly(key, 30), hourly(`${key}:day`, 0)],
                at(i),
              ),
            ),
          );
          expect(results.filter((r) => r.allowed)).toHaveLength(30);
          expect(
            await many.stores[0]?.peek(
              [
                { key, windowMs: HOUR },
                { key: `${key}:day`, windowMs: HOUR },
              ],
              at(500),
            ),
          ).toEqual([30, 30]);
        }
      } finally {
        await many.cleanup();
      }
    });
  });
}

describe('MemoryCounters memory bound', () => {
  it('forgets idle keys once their window has passed', async () => {
    const store = new MemoryCounters({ sweepEveryMs: MINUTE });
    for (let u = 0; u < 100; u++) await store.consume([hourly(`u:${u}:ext`, 5)], at(0));
    expect(store.size).toBe(100);
    await store.consume([hourly('u:new:ext', 5)], at(HOUR + 2 * MINUTE));
    expect(store.size).toBe(1);
    await store.close();
  });
});

describe('RedisCounters when Redis does not answer', () => {
  it('fails fast with COUNTERS_UNAVAILABLE so SMTP can answer 451', async () => {
    const started = performance.now();
    const err = await RedisCounters.connect({ url: 'redis://127.0.0.1:1', timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isDomainError(err, 'COUNTERS_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toBe(
      'The counter service at 127.0.0.1:1 does not answer; mail is deferred until it is back.',
    );
    const counters = new RedisCounters({ url: 'redis://127.0.0.1:1', timeoutMs: 500 });
    const err2 = await counters.consume([hourly('u:1:ext', 5)], at(0)).catch((e: unknown) => e);
    expect(isDomainError(err2, 'COUNTERS_UNAVAILABLE')).toBe(true);
    await counters.close();
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe.skipIf(!HAS_REDIS)('RedisCounters right after start-up', () => {
  it('waits for the connection instead of refusing the first message', async () => {
    const counters = new RedisCounters({ url: REDIS_URL, keyPrefix: `sw:test:${randomUUID()}:` });
    try {
      expect(await counters.consume([hourly('u:1:ext', 5)], at(0))).toEqual({
        allowed: true,
        totals: [1],
        failedIndex: -1,
      });
    } finally {
      await counters.reset('');
      await counters.close();
    }
  });
});

describe.skipIf(!HAS_REDIS)('RedisCounters after Redis lost its scripts (a restart, SCRIPT FLUSH)', () => {
  it('loads the script again and keeps counting', async () => {
    const counters = await RedisCounters.connect({ url: REDIS_URL, keyPrefix: `sw:test:${randomUUID()}:` });
    const admin = new Redis(REDIS_URL);
    try {
      expect((await counters.consume([hourly('u:1:ext', 5)], at(0))).totals).toEqual([1]);
      await admin.script('FLUSH');
      expect(await counters.consume([hourly('u:1:ext', 5)], at(SECOND))).toEqual({
        allowed: true,
        totals: [2],
        failedIndex: -1,
      });
      expect((await counters.consumeInOrder([[hourly('u:1:ext', 5)]], at(2 * SECOND)))[0]?.totals).toEqual([3]);
    } finally {
      await counters.reset('');
      await counters.close();
      admin.disconnect();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { SlidingWindows } from '../../../src/core/counting/sliding-windows.js';
import type { WindowCheck } from '../../../src/ports/counter-store.js';
import { ReferenceWindows } from '../../support/reference-windows.js';
import { prng } from '../../support/prng.js';

const WINDOWS = [1_000, 60_000, 600_000, 3_600_000, 86_400_000, 30];
const NAMES = [
  'msg',
  'ext',
  'int',
  'day',
  'spam',
  'newaddr',
  'burst',
  'addr:203.0.113.7',
  'addr:198.51.100.2',
  'body:ab12cd34ef56ab12cd34',
  'alert:x',
];

/** Past 16 named windows an owner keeps them apart (a sender of many distinct bodies): 60 more names. */
const MANY_NAMES = [...NAMES, ...Array.from({ length: 60 }, (_, i) => `body:${i.toString(16).padStart(20, '0')}`)];

function run(seed: number, ops: number, names: readonly string[] = NAMES, userCount = 12): void {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const users = Array.from({ length: userCount }, (_, i) => `user-${i}`);
  // Each key keeps its window length most of the time, as live keys do.
  const lengthOf = new Map<string, number>();
  const randomKey = (): string => {
    if (rnd() < 0.05) return pick(['healthz', 'u:', 'u:lonely', 'other:key']);
    return `u:${pick(users)}:${pick(names)}`;
  };
  const windowOf = (key: string): number => {
    let w = lengthOf.get(key);
    if (w === undefined || rnd() < 0.02) {
      w = pick(WINDOWS);
      lengthOf.set(key, w);
    }
    return w;
  };
  const packed = new SlidingWindows();
  const reference = new ReferenceWindows();
  let now = 1_764_000_000_000;
  for (let step = 0; step < ops; step++) {
    const r = rnd();
    // Time mostly moves forward (often not at all), sometimes back (a give-back at its earlier time).
    const dt = rnd();
    if (dt < 0.3) now += 0;
    else if (dt < 0.8) now += Math.floor(rnd() * 2_000);
    else if (dt < 0.95) now += Math.floor(rnd() * 900_000);
    else if (dt < 0.98) now -= Math.floor(rnd() * 60_000);
    else now += Math.floor(rnd() * 90_000_000);
    const where = `seed ${seed} step ${step}`;
    if (r < 0.6) {
      const checks: WindowCheck[] = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
        const key = randomKey();
        const amount = rnd() < 0.1 ? -1 : rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * 3);
        return { key, windowMs: windowOf(key), limit: rnd() < 0.3 ? 0 : Math.floor(rnd() * 12), amount };
      });
      expect(packed.consume(checks, now), where).toEqual(reference.consume(checks, now));
    } else if (r < 0.8) {
      const keys = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({ key: randomKey() }));
      expect(packed.peek(keys, now), where).toEqual(reference.peek(keys, now));
    } else if (r < 0.85) {
      const prefix = pick([
        'u:',
        `u:${pick(users)}:`,
        `u:${pick(users)}:addr:`,
        `u:${pick(users)}:b`,
        'u:user-1',
        '',
        'h',
      ]);
      packed.reset(prefix);
      reference.reset(prefix);
    } else if (r < 0.95) {
      packed.sweep(now);
      reference.sweep(now);
    } else if (r < 0.951) {
      packed.clear();
      reference.clear();
    }
    expect(packed.size, where).toBe(reference.size);
  }
}

describe('SlidingWindows (packed per user)', () => {
  it('gives the same results as the one-object-per-key reference on random sequences', () => {
    for (let seed = 1; seed <= 10; seed++) run(seed, 3_000);
  });

  it('gives the same results with many named windows per user (kept apart past 16, packed again once gone)', () => {
    for (let seed = 11; seed <= 20; seed++) run(seed, 4_000, MANY_NAMES, 3);
  });

  it('keeps one entry per user and forgets 1,000,000 users once their windows expire', () => {
    const windows = new SlidingWindows();
    const t0 = 1_764_000_000_000;
    for (let i = 0; i < 1_000_000; i++) {
      const id = `u:${i.toString(36)}:`;
      windows.consume(
        [
          { key: `${id}msg`, windowMs: 60_000, limit: 30, amount: 1 },
          { key: `${id}ext`, windowMs: 3_600_000, limit: 500, amount: 1 },
        ],
        t0 + Math.floor(i / 1000),
      );
      // Sweep as MemoryCounters does, so memory stays bounded while users keep coming.
      if (i % 100_000 === 0) windows.sweep(t0 + Math.floor(i / 1000));
    }
    expect(windows.size).toBe(2_000_000);
    expect(windows.owners).toBe(1_000_000);
    // After a minute and a bucket the minute windows are gone; after an hour and a bucket, all.
    windows.sweep(t0 + 1000 + 61_000);
    expect(windows.size).toBe(1_000_000);
    windows.sweep(t0 + 1000 + 3_660_000);
    expect(windows.size).toBe(0);
    expect(windows.owners).toBe(0);
  });
});

/** The former SlidingWindows (one Map entry and one object per key), kept as the reference the packed counters are tested against (test/core/counting). */
import type { WindowCheck, WindowResult } from '../../src/ports/counter-store.js';
import {
  bucketExpiry,
  bucketOf,
  bucketWidth,
  fitsLimit,
  oldestCountedBucket,
} from '../../src/core/counting/sliding-window.js';

/**
 * One key's sliding window: only the non-empty buckets, as a flat array of
 * [bucket, amount, bucket, amount, ...] in ascending bucket order (at most 61 pairs, see
 * sliding-window.ts), plus the running total of those pairs.
 */
class Window {
  constructor(
    readonly windowMs: number,
    readonly width: number,
    public cells: number[] = [],
    public total = 0,
  ) {}

  /** Drops buckets that left the window and returns what still counts at `nowMs`. */
  prune(nowMs: number): number {
    const oldest = oldestCountedBucket(nowMs, this.windowMs, this.width);
    let drop = 0;
    while (drop < this.cells.length && (this.cells[drop] as number) < oldest) {
      this.total -= this.cells[drop + 1] as number;
      drop += 2;
    }
    if (drop === this.cells.length) this.cells = [];
    else if (drop > 0) this.cells.splice(0, drop);
    return this.total;
  }

  add(nowMs: number, amount: number): void {
    const b = bucketOf(nowMs, this.width);
    this.total += amount;
    const cells = this.cells;
    if (cells.length === 0) {
      // A fresh literal is allocated at its exact size; growing an empty array reserves ~17 slots.
      this.cells = [b, amount];
      return;
    }
    // Time almost always moves forward, so the newest bucket is the usual target.
    let i = cells.length - 2;
    while (i >= 0 && (cells[i] as number) > b) i -= 2;
    if (i >= 0 && cells[i] === b) cells[i + 1] = (cells[i + 1] as number) + amount;
    else cells.splice(i + 2, 0, b, amount);
  }

  /** When every bucket has left the window and the key can be forgotten. */
  expiresAt(): number {
    const newest = this.cells[this.cells.length - 2];
    return newest === undefined ? 0 : bucketExpiry(newest, this.windowMs, this.width);
  }
}

/**
 * A set of sliding windows by key, in memory and synchronous: the arithmetic of the in-process
 * CounterStore (adapters/counters/memory-counters.ts wraps it) and of the what-if replay
 * (core/what-if), so the replay counts exactly as the live engine does. Times are epoch ms.
 */
export class ReferenceWindows {
  readonly #windows = new Map<string, Window>();

  /**
   * All checks pass and every amount is added, or nothing is added (the first failing check is
   * named). Totals are after adding when allowed, before adding when refused.
   */
  consume(checks: readonly WindowCheck[], nowMs: number): WindowResult {
    const absent = checks.filter((c) => !this.#windows.has(c.key)).map((c) => c.key);
    const windows = checks.map((c) => this.#window(c.key, c.windowMs));
    const totals = windows.map((w) => w.prune(nowMs));
    const failedIndex = checks.findIndex((c, i) => !fitsLimit(totals[i] as number, c.amount, c.limit));
    // A key that was not there and got no bucket (refused, or an amount of 0) is not kept.
    const forgetEmpty = () => {
      for (const key of absent) if (this.#windows.get(key)?.cells.length === 0) this.#windows.delete(key);
    };
    if (failedIndex !== -1) {
      forgetEmpty();
      return { allowed: false, totals, failedIndex };
    }
    // A negative amount gives back an earlier one; called with that earlier time it lands in the same bucket.
    checks.forEach((c, i) => {
      if (c.amount !== 0) (windows[i] as Window).add(nowMs, c.amount);
    });
    forgetEmpty();
    return { allowed: true, totals: windows.map((w) => w.total), failedIndex: -1 };
  }

  /** The totals of these keys at `nowMs`, adding nothing (0 for an unknown key). */
  peek(keys: readonly { key: string }[], nowMs: number): number[] {
    return keys.map((k) => this.#windows.get(k.key)?.prune(nowMs) ?? 0);
  }

  /** Forgets every key that starts with `prefix`. */
  reset(prefix: string): void {
    for (const key of this.#windows.keys()) if (key.startsWith(prefix)) this.#windows.delete(key);
  }

  /** Forgets every key whose newest bucket has left its window by `nowMs`. */
  sweep(nowMs: number): void {
    for (const [key, w] of this.#windows) if (w.expiresAt() <= nowMs) this.#windows.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#windows.clear();
  }

  /** Number of keys held. */
  get size(): number {
    return this.#windows.size;
  }

  #window(key: string, windowMs: number): Window {
    const existing = this.#windows.get(key);
    // A key is meant to keep one window length; if it changes, the old buckets mean nothing.
    if (existing !== undefined && existing.windowMs === windowMs) return existing;
    const created = new Window(windowMs, bucketWidth(windowMs));
    this.#windows.set(key, created);
    return created;
  }
}

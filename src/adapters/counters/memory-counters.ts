import { DomainError } from '../../core/errors.js';
import type { CounterStore, WindowCheck, WindowResult } from '../../ports/counter-store.js';
import { SlidingWindows } from '../../core/counting/sliding-windows.js';

export interface MemoryCountersOptions {
  /** How often (in the `now` time of the calls) idle keys are swept out. Default 60 s. */
  readonly sweepEveryMs?: number;
}

/**
 * In-process sliding-window counters for a single node (the embedded default).
 *
 * Precision: 1/60 of the window (1 s per minute, 1 min per hour, 24 min per day); an amount
 * counts for more than windowMs and at most windowMs + one bucket, so a limit is never
 * exceeded and there is no double burst at a fixed boundary (see sliding-window.ts).
 *
 * `consume` runs without an await between reading and writing, so on Node's single thread it
 * is atomic across all its checks: all amounts are added or none.
 *
 * Memory: a key holds only its non-empty buckets (at most 61) and is forgotten once its
 * newest bucket has left the window (swept every `sweepEveryMs`); keys are packed per user
 * (core/counting/packed-windows.ts). Measured on Node 20 x64 (`npm run bench -- --memory-only`,
 * heapUsed delta after GC), one message to one recipient (7 keys per user): ~850 B per user
 * (1.8 kB before the packing); the four limit windows alone (msg, ext, int, day): ~370 B.
 */
export class MemoryCounters implements CounterStore {
  readonly #windows = new SlidingWindows();
  readonly #sweepEveryMs: number;
  #nextSweepAt = 0;
  #closed = false;

  constructor(options: MemoryCountersOptions = {}) {
    this.#sweepEveryMs = options.sweepEveryMs ?? 60_000;
  }

  async consume(checks: readonly WindowCheck[], now: Date): Promise<WindowResult> {
    return this.#windows.consume(checks, this.#begin(now));
  }

  async consumeInOrder(groups: readonly (readonly WindowCheck[])[], now: Date): Promise<readonly WindowResult[]> {
    return this.#windows.consumeInOrder(groups, this.#begin(now));
  }

  async peek(keys: readonly { key: string; windowMs: number }[], now: Date): Promise<readonly number[]> {
    return this.#windows.peek(keys, this.#begin(now));
  }

  async reset(prefix: string): Promise<void> {
    this.#windows.reset(prefix);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#windows.clear();
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.#windows.size;
  }

  #begin(now: Date): number {
    if (this.#closed)
      throw new DomainError('COUNTERS_UNAVAILABLE', 'The in-process counters are closed; the server is shutting down.');
    const nowMs = now.getTime();
    if (nowMs >= this.#nextSweepAt) {
      this.#windows.sweep(nowMs);
      this.#nextSweepAt = nowMs + this.#sweepEveryMs;
    }
    return nowMs;
  }
}

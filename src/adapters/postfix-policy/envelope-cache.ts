import type { Clock } from '../../ports/clock.js';

/** What the service remembers of one message (one Postfix `instance`) between its RCPT requests. */
export interface PolicyEnvelope {
  readonly userId: string;
  /** Normalised sender, set once the guard accepted it. */
  mailFrom: string;
  /** The guard accepted the sender: it is counted once per message, not once per recipient. */
  isSenderAccepted: boolean;
  /**
   * Recipients accepted so far (normalised), for the per-message cap and repeats. Replaced by an
   * exactly sized copy on each accept (concat; push and spread both reserve ~16 spare slots, measured
   * ~127 B more per in-flight message on Node 20).
   */
  accepted: readonly string[];
}

/**
 * Envelopes by message, in memory, bounded two ways: an entry not touched for `ttlMs` is
 * forgotten (Postfix gives up on a session long before), and past `maxEntries` the least
 * recently used goes first, so a flood of instances cannot grow the process without end.
 * Forgetting is safe: the counters hold the real counts; only the per-message cap restarts.
 */
export class EnvelopeCache {
  readonly #entries = new Map<string, { envelope: PolicyEnvelope; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;

  constructor(options: { ttlMs: number; maxEntries: number; clock: Clock }) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = Math.max(1, options.maxEntries);
    this.#clock = options.clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): PolicyEnvelope | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#clock.now().getTime();
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    // Re-inserted: the Map's order is least recently used first.
    this.#entries.set(key, { envelope: entry.envelope, expiresAt: now + this.#ttlMs });
    return entry.envelope;
  }

  set(key: string, envelope: PolicyEnvelope): void {
    const now = this.#clock.now().getTime();
    this.#entries.delete(key);
    for (const [k, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(k);
    }
    this.#entries.set(key, { envelope, expiresAt: now + this.#ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

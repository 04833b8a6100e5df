import { BoundedCache } from '../../core/cache/bounded-cache.js';
import type { Clock } from '../../ports/clock.js';

/** What the service remembers of one message (one Postfix `instance`) between its RCPT requests. */
export interface PolicyEnvelope {
  readonly userId: string;
  /** Normalised sender, set once the guard accepted it. */
  mailFrom: string;
  /** The guard accepted the sender: it is counted once per message, not once per recipient. */
  isSenderAccepted: boolean;
  /**
   * Recipients accepted so far (normalised), for the per-message cap and repeats: the one recipient
   * itself while there is one (most messages), then an exactly sized array, replaced on each accept
   * (concat; push and spread both reserve ~16 spare slots, measured ~127 B more per in-flight message
   * on Node 20). Read it with acceptedRecipients. Each object a kept envelope holds is work for
   * every young-generation GC until it is promoted (docs/benchmarks.md).
   */
  accepted: string | readonly string[];
}

/** A new envelope's recipients: none (one shared empty array). */
export const NO_RECIPIENTS: readonly string[] = Object.freeze([]);

/** The recipients an envelope accepted so far, as a list. */
export function acceptedRecipients(envelope: Pick<PolicyEnvelope, 'accepted'>): readonly string[] {
  const a = envelope.accepted;
  return typeof a === 'string' ? [a] : a;
}

/** The envelope's recipients with one more. */
export function withRecipient(accepted: string | readonly string[], recipient: string): string | readonly string[] {
  if (typeof accepted === 'string') return [accepted, recipient];
  return accepted.length === 0 ? recipient : accepted.concat(recipient);
}

/**
 * Envelopes by message, in memory, bounded two ways: an entry not touched for `ttlMs` is
 * forgotten (Postfix gives up on a session long before), and the cache never holds more than
 * `maxEntries` (BoundedCache's two generations: the recently used half always survives), so a flood
 * of instances cannot grow the process without end. Forgetting is safe: the counters hold the real
 * counts; only the per-message cap restarts. Postfix sends END-OF-MESSAGE to a policy service only
 * when it is also called at smtpd_end_of_data_restrictions, so in most set-ups entries leave by age
 * or by the bound, at every message's rate: each operation must stay O(1). (The former Map in LRU
 * order deleted its oldest entry at each insert once full; V8 skips deleted slots from the front, so
 * that grew with the holes: 14.7 -> 28.6 us per request once 50,000 envelopes were held.)
 */
export class EnvelopeCache {
  readonly #entries: BoundedCache<string, PolicyEnvelope>;
  readonly #clock: Clock;

  constructor(options: { ttlMs: number; maxEntries: number; clock: Clock }) {
    this.#entries = new BoundedCache(Math.max(2, options.maxEntries), options.ttlMs);
    this.#clock = options.clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): PolicyEnvelope | undefined {
    const now = this.#clock.now().getTime();
    const envelope = this.#entries.get(key, now);
    // Touched: its ten minutes start again.
    if (envelope !== undefined) this.#entries.set(key, envelope, now);
    return envelope;
  }

  set(key: string, envelope: PolicyEnvelope): void {
    this.#entries.set(key, envelope, this.#clock.now().getTime());
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

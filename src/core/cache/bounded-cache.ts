interface Entry<V> {
  readonly value: V;
  /** Milliseconds since the cache's first store: a small integer V8 keeps in the entry, not a boxed number. */
  readonly at: number;
}

/**
 * A map bounded in size and, optionally, in age: an entry older than `ttlMs` is never returned.
 * Time comes in as an argument, so the core stays pure. Used for the sending state per user and
 * the verified-credential cache.
 *
 * Eviction is by generations (as in a two-segment LRU): entries go into the young map; when it
 * holds half the bound it becomes the old map and the previous old map is dropped whole; a hit in
 * the old map moves the entry back to the young one. So the recently used half always survives,
 * nothing beyond the bound is ever held, and every operation is O(1). (Deleting the first key of
 * one big Map at every insert was quadratic in V8: a million inserts took over a minute.)
 */
export class BoundedCache<K, V> {
  readonly #half: number;
  readonly #ttlMs: number;
  #young = new Map<K, Entry<V>>();
  #old = new Map<K, Entry<V>>();
  /** The `now` of the first store; entry times count from it. */
  #origin: number | undefined;

  /** `maxEntries` >= 2; `ttlMs` Infinity (the default) keeps entries until evicted or deleted. */
  constructor(maxEntries: number, ttlMs = Number.POSITIVE_INFINITY) {
    if (!(maxEntries >= 2)) throw new RangeError('maxEntries must be at least 2');
    this.#half = Math.floor(maxEntries / 2);
    this.#ttlMs = ttlMs;
  }

  /** The value stored for `key` when it is younger than the TTL at `now` (ms); a hit counts as a use. */
  get(key: K, now: number): V | undefined {
    let entry = this.#young.get(key);
    if (entry === undefined) {
      entry = this.#old.get(key);
      if (entry === undefined) return undefined;
      this.#old.delete(key);
      if (this.#fresh(entry, now)) this.#put(key, entry);
    } else if (!this.#fresh(entry, now)) {
      this.#young.delete(key);
    }
    return this.#fresh(entry, now) ? entry.value : undefined;
  }

  /** Stores `value` as of `now` (ms). */
  set(key: K, value: V, now: number): void {
    this.#old.delete(key);
    this.#origin ??= now;
    this.#put(key, { value, at: now - this.#origin });
  }

  /** Forgets one key. */
  delete(key: K): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#young = new Map();
    this.#old = new Map();
  }

  /** How many entries are held (expired ones included until touched or evicted); never over the bound. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #fresh(entry: Entry<V>, now: number): boolean {
    const t = now - (this.#origin ?? now);
    return t >= entry.at && t - entry.at < this.#ttlMs;
  }

  #put(key: K, entry: Entry<V>): void {
    if (!this.#young.has(key) && this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, entry);
  }
}

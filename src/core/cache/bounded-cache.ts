/**
 * A map bounded in size (least recently used entry goes first) and, optionally, in age: an entry
 * older than `ttlMs` is never returned. Time comes in as an argument, so the core stays pure.
 * Used for the sending state per user and the verified-credential cache.
 */
export class BoundedCache<K, V> {
  readonly #max: number;
  readonly #ttlMs: number;
  // A Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  readonly #entries = new Map<K, { readonly value: V; readonly at: number }>();

  /** `maxEntries` >= 1; `ttlMs` Infinity (the default) keeps entries until evicted or deleted. */
  constructor(maxEntries: number, ttlMs = Number.POSITIVE_INFINITY) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    this.#max = Math.floor(maxEntries);
    this.#ttlMs = ttlMs;
  }

  /** The value stored for `key` when it is younger than the TTL at `now` (ms); a hit becomes the most recent. */
  get(key: K, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (now - entry.at >= this.#ttlMs || now < entry.at) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` as of `now` (ms), evicting the least recently used entries beyond the bound. */
  set(key: K, value: V, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: now });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Forgets one key. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** How many entries are held (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }
}

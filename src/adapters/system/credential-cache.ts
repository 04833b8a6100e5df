import { createHmac, timingSafeEqual } from 'node:crypto';
import { BoundedCache } from '../../core/cache/bounded-cache.js';
import type { PasswordHasher } from '../../ports/password-hasher.js';

/** Default lifetime of a verified credential: `SENDWARDEN_AUTH_CACHE_SECONDS` (0 turns the cache off). */
export const DEFAULT_AUTH_CACHE_SECONDS = 60;
/** Stored password hashes remembered at most (about 250 bytes each: 25 MB at the bound). */
export const MAX_VERIFIED_CREDENTIALS = 100_000;

/** How big and how long-lived the cache is; `now` is for tests (Date.now otherwise). */
export interface CredentialCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * A PasswordHasher that remembers, for a short time, that a password matched a stored hash, so a
 * client opening one connection per message pays for argon2id once a minute instead of at every
 * AUTH (Dovecot's auth_cache). Only successes are kept: a wrong password always costs a full
 * verification and is never answered from memory.
 *
 * The entry is found by a keyed hash of the stored PHC string and holds a keyed hash of
 * (PHC, password), compared in constant time; neither is the password nor usable offline without
 * the server secret (key purpose `credential-cache`). Binding it to the stored hash drops it with
 * any password change or reset on any node: every AUTH reads the user from the store, and a new
 * hash finds nothing. Sign-in block and lockout are read from the store at every AUTH, before and
 * after this check (core/auth/sign-in.ts), so they apply at once. Bounded in size (least recently
 * used first out) and in age (`ttlMs`).
 *
 * Concurrent AUTHs with the same stored hash and password (a client's pool of N connections
 * opening at once, before anything is cached) share one verification instead of running N
 * argon2id at once (issue 14). Only a shared success answers the others: when it fails (or
 * throws), each waiter verifies on its own, so a wrong password still always costs a full
 * verification.
 */
export class CredentialCache implements PasswordHasher {
  readonly #inner: PasswordHasher;
  readonly #key: Buffer;
  readonly #cache: BoundedCache<string, Buffer>;
  readonly #now: () => number;
  /** Verifications under way, by slot and tag: what concurrent identical AUTHs wait for. */
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(inner: PasswordHasher, key: Buffer, options: CredentialCacheOptions) {
    this.#inner = inner;
    this.#key = key;
    this.#cache = new BoundedCache(options.maxEntries ?? MAX_VERIFIED_CREDENTIALS, options.ttlMs);
    this.#now = options.now ?? Date.now;
  }

  hash(password: string): Promise<string> {
    return this.#inner.hash(password);
  }

  async verify(phc: string, password: string): Promise<boolean> {
    if (phc === '') return this.#inner.verify(phc, password);
    const slot = this.#mac('slot', phc).toString('base64');
    const tag = this.#mac('tag', phc, password);
    const known = this.#cache.get(slot, this.#now());
    if (known !== undefined && timingSafeEqual(known, tag)) return true;
    const key = `${slot} ${tag.toString('base64')}`;
    const running = this.#inFlight.get(key);
    if (running !== undefined) {
      if (await running.catch(() => false)) return true;
      return this.#verifyAndRemember(slot, tag, phc, password);
    }
    const verifying = this.#verifyAndRemember(slot, tag, phc, password).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, verifying);
    return verifying;
  }

  async #verifyAndRemember(slot: string, tag: Buffer, phc: string, password: string): Promise<boolean> {
    const ok = await this.#inner.verify(phc, password);
    if (ok) this.#cache.set(slot, tag, this.#now());
    return ok;
  }

  fingerprint(userId: string, password: string): string {
    return this.#inner.fingerprint(userId, password);
  }

  /** Entries held (expired ones until touched or evicted): for the memory test. */
  get size(): number {
    return this.#cache.size;
  }

  #mac(kind: string, phc: string, password?: string): Buffer {
    const h = createHmac('sha256', this.#key).update(kind).update('\0').update(phc);
    if (password !== undefined) h.update('\0').update(password);
    return h.digest();
  }
}

/**
 * The verified-credential cache (adapters/system/credential-cache.ts) over the real argon2id
 * hasher (cheap test cost): a matching password is verified once and then answered from memory
 * until the TTL; a wrong password is always verified and never cached; a new stored hash (any
 * password change or reset) finds nothing; many more distinct hashes than its bound leave it at its bound.
 */
import { describe, expect, it } from 'vitest';
import { Argon2Hasher } from '../../src/adapters/system/argon2-hasher.js';
import { CredentialCache } from '../../src/adapters/system/credential-cache.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';

const KEY = Buffer.alloc(32, 7);

/** The real hasher, counting how often argon2id actually ran. */
function counting(): { hasher: PasswordHasher; calls: () => number } {
  const inner = new Argon2Hasher(KEY, { memoryCost: 1024, timeCost: 1 });
  let calls = 0;
  return {
    calls: () => calls,
    hasher: {
      hash: (p) => inner.hash(p),
      fingerprint: (u, p) => inner.fingerprint(u, p),
      verify: async (phc, p) => {
        calls += 1;
        return inner.verify(phc, p);
      },
    },
  };
}

describe('CredentialCache', () => {
  it('verifies a matching password once, then from memory until the TTL', async () => {
    const { hasher, calls } = counting();
    let now = 1_000_000;
    const cache = new CredentialCache(hasher, KEY, { ttlMs: 60_000, now: () => now });
    const phc = await hasher.hash('correct horse battery');
    expect(await cache.verify(phc, 'correct horse battery')).toBe(true);
    expect(await cache.verify(phc, 'correct horse battery')).toBe(true);
    expect(calls()).toBe(1);
    now += 60_000;
    expect(await cache.verify(phc, 'correct horse battery')).toBe(true);
    expect(calls()).toBe(2);
  });

  it('never caches a failure, and a cached success never answers another password', async () => {
    const { hasher, calls } = counting();
    const cache = new CredentialCache(hasher, KEY, { ttlMs: 60_000 });
    const phc = await hasher.hash('correct horse battery');
    expect(await cache.verify(phc, 'wrong')).toBe(false);
    expect(await cache.verify(phc, 'wrong')).toBe(false);
    expect(calls()).toBe(2);
    expect(await cache.verify(phc, 'correct horse battery')).toBe(true);
    expect(await cache.verify(phc, 'wrong')).toBe(false);
    expect(await cache.verify(phc, 'correct horse batter')).toBe(false);
    expect(calls()).toBe(5);
    expect(await cache.verify('', 'anything')).toBe(false);
  });

  it('concurrent AUTHs with the same password share one verification; concurrent wrong ones are each verified', async () => {
    const { hasher, calls } = counting();
    const cache = new CredentialCache(hasher, KEY, { ttlMs: 60_000 });
    const phc = await hasher.hash('correct horse battery');
    const right = await Promise.all(Array.from({ length: 20 }, () => cache.verify(phc, 'correct horse battery')));
    expect(right).toEqual(Array.from({ length: 20 }, () => true));
    expect(calls()).toBe(1);
    // Different stored hashes (two users) are not shared.
    const other = await hasher.hash('correct horse battery');
    await Promise.all([cache.verify(other, 'correct horse battery'), cache.verify(other, 'correct horse battery')]);
    expect(calls()).toBe(2);
    const wrong = await Promise.all(Array.from({ length: 5 }, () => cache.verify(phc, 'wrong')));
    expect(wrong).toEqual([false, false, false, false, false]);
    expect(calls()).toBe(2 + 5); // each wrong attempt costs one full verification: the first, then each waiter its own
    const mixed = await Promise.all([cache.verify(other, 'nope'), cache.verify(other, 'correct horse battery')]);
    expect(mixed).toEqual([false, true]);
  });

  it('a new stored hash (password change or reset) is verified afresh; the old password fails on it', async () => {
    const { hasher, calls } = counting();
    const cache = new CredentialCache(hasher, KEY, { ttlMs: 60_000 });
    const before = await hasher.hash('old password one');
    expect(await cache.verify(before, 'old password one')).toBe(true);
    const after = await hasher.hash('new password two');
    expect(await cache.verify(after, 'old password one')).toBe(false);
    expect(await cache.verify(after, 'new password two')).toBe(true);
    expect(calls()).toBe(3);
  });

  it('stays at its bound with many more distinct stored hashes (BoundedCache holds with a million)', async () => {
    const always: PasswordHasher = {
      hash: async (p) => p,
      fingerprint: () => '',
      verify: async () => true,
    };
    const cache = new CredentialCache(always, KEY, { ttlMs: 60_000, maxEntries: 1000 });
    for (let i = 0; i < 20_000; i++) await cache.verify(`$argon2id$user-${i}`, 'pw');
    expect(cache.size).toBeLessThanOrEqual(1000);
    expect(cache.size).toBeGreaterThanOrEqual(500);
  });
});

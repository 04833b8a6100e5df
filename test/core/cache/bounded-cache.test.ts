/**
 * BoundedCache: the least recently used entries go first, an entry past its TTL is never
 * returned, and a million distinct keys leave it at its bound (the sending state per user and
 * the credential cache both sit on it; issue 14: memory bounded with 1M distinct users).
 */
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../src/core/cache/bounded-cache.js';
import { MAX_CACHED_USERS } from '../../../src/adapters/store/kysely-sending-state-store.js';

describe('BoundedCache', () => {
  it('keeps the recently used entries and drops the least recently used beyond its bound', () => {
    const c = new BoundedCache<string, number>(4);
    c.set('a', 1, 0);
    c.set('b', 2, 0);
    c.set('c', 3, 0); // a and b are now the old half
    expect(c.get('a', 0)).toBe(1); // a is used again: young
    c.set('d', 4, 0); // the young half (c, a) becomes old; b is dropped
    expect(c.get('b', 0)).toBeUndefined();
    expect(c.get('a', 0)).toBe(1);
    expect(c.get('c', 0)).toBe(3);
    expect(c.get('d', 0)).toBe(4);
    expect(c.size).toBeLessThanOrEqual(4);
  });

  it('never returns an entry past its TTL, nor one stored in the future of now', () => {
    const c = new BoundedCache<string, string>(10, 60_000);
    c.set('k', 'v', 1_000);
    expect(c.get('k', 60_999)).toBe('v');
    expect(c.get('k', 61_000)).toBeUndefined();
    expect(c.size).toBe(0);
    c.set('k', 'v', 5_000);
    expect(c.get('k', 4_000)).toBeUndefined();
  });

  it('holds at most its bound with one million distinct keys', () => {
    const c = new BoundedCache<string, { open: undefined; lastUnblockAt: null }>(MAX_CACHED_USERS);
    for (let i = 0; i < 1_000_000; i++) c.set(`user-${i}`, { open: undefined, lastUnblockAt: null }, 0);
    expect(c.size).toBeLessThanOrEqual(MAX_CACHED_USERS);
    expect(c.size).toBeGreaterThanOrEqual(MAX_CACHED_USERS / 2);
    expect(c.get('user-999999', 0)).toBeDefined();
    expect(c.get('user-0', 0)).toBeUndefined();
  });

  it('delete and clear forget', () => {
    const c = new BoundedCache<string, number>(5);
    c.set('a', 1, 0);
    c.set('b', 2, 0);
    c.delete('a');
    expect(c.get('a', 0)).toBeUndefined();
    c.clear();
    expect(c.size).toBe(0);
  });
});

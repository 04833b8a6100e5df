import { describe, expect, it } from 'vitest';
import { EMPTY_LOCKOUT, type LockoutState } from '../../../src/core/directory/user.js';
import {
  clearLockout,
  DEFAULT_LOCKOUT_RULES,
  isLockedOut,
  isSuccessUnchanged,
  lockedUntil,
  lockoutSeconds,
  locationKey,
  recordFailure,
  recordSuccess,
} from '../../../src/core/lockout/smart-lockout.js';

// Fakes: none. Time is passed in explicitly; fingerprints are plain strings.
const T0 = new Date('2026-11-22T10:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function fail(state: LockoutState, n: number, address: string, start = 0, now = T0): LockoutState {
  let s = state;
  for (let i = 0; i < n; i++) s = recordFailure(s, address, `wrong-${start + i}`, now).state;
  return s;
}

describe('smart lockout', () => {
  it('9 failures do not lock; the 10th locks for 60 s', () => {
    const s9 = fail(EMPTY_LOCKOUT, 9, '203.0.113.5');
    expect(lockedUntil(s9, '203.0.113.5', T0)).toBeNull();
    const r = recordFailure(s9, '203.0.113.5', 'wrong-9', T0);
    expect(r.lockedNow).toBe(true);
    expect(r.lockedUntil?.toISOString()).toBe(at(60).toISOString());
    expect(lockedUntil(r.state, '203.0.113.5', at(59))).not.toBeNull();
    expect(lockedUntil(r.state, '203.0.113.5', at(60))).toBeNull();
  });

  it('each further lockout doubles: 60 s, 2 min, 4 min ... capped at 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => lockoutSeconds(n))).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
    let s = fail(EMPTY_LOCKOUT, 10, '198.51.100.1', 0);
    s = fail(s, 10, '198.51.100.1', 100, at(61));
    expect(s.unfamiliar.lockouts).toBe(2);
    expect(s.unfamiliar.lockedUntil?.toISOString()).toBe(at(61 + 120).toISOString());
  });

  it('a retry of one of the last 3 wrong passwords does not count again', () => {
    let s = EMPTY_LOCKOUT;
    for (let i = 0; i < 20; i++) s = recordFailure(s, '203.0.113.5', ['a', 'b', 'c'][i % 3]!, T0).state;
    expect(s.unfamiliar.failures).toBe(3);
    expect(lockedUntil(s, '203.0.113.5', T0)).toBeNull();
    // a fourth distinct password pushes the oldest out of memory, so it would count again
    s = recordFailure(s, '203.0.113.5', 'd', T0).state;
    expect(recordFailure(s, '203.0.113.5', 'a', T0).counted).toBe(true);
  });

  it('failures from an unfamiliar place do not lock the user out of a familiar one', () => {
    const familiar = recordSuccess(EMPTY_LOCKOUT, '192.0.2.10');
    const attacked = fail(familiar, 10, '203.0.113.99');
    expect(lockedUntil(attacked, '203.0.113.99', T0)).not.toBeNull();
    expect(lockedUntil(attacked, '192.0.2.10', T0)).toBeNull();
    expect(lockedUntil(attacked, '192.0.2.77', T0)).toBeNull(); // same /24: still familiar
    expect(isLockedOut(attacked, T0)).toBe(true);
  });

  it('familiar and unfamiliar failures have separate counters', () => {
    const familiar = recordSuccess(EMPTY_LOCKOUT, '192.0.2.10');
    const s = fail(fail(familiar, 6, '192.0.2.10', 0), 6, '203.0.113.99', 100);
    expect(s.familiar.failures).toBe(6);
    expect(s.unfamiliar.failures).toBe(6);
    expect(isLockedOut(s, T0)).toBe(false);
  });

  it('an admin unlock (or self-service reset) clears both counters but keeps familiar places', () => {
    const s = fail(recordSuccess(EMPTY_LOCKOUT, '192.0.2.10'), 10, '192.0.2.10');
    expect(isLockedOut(s, T0)).toBe(true);
    const cleared = clearLockout(s);
    expect(isLockedOut(cleared, T0)).toBe(false);
    expect(cleared.familiar.failures).toBe(0);
    expect(cleared.familiarLocations).toEqual(s.familiarLocations);
  });

  it('a successful sign-in resets the counter of its place and makes it familiar', () => {
    const s = recordSuccess(fail(EMPTY_LOCKOUT, 5, '203.0.113.5'), '203.0.113.5');
    expect(s.unfamiliar.failures).toBe(0);
    expect(s.familiarLocations).toContain(locationKey('203.0.113.5'));
  });

  it('location keys group IPv4 by /24 and IPv6 by /64', () => {
    expect(locationKey('203.0.113.5')).toBe('203.0.113.0/24');
    expect(locationKey('::ffff:203.0.113.5')).toBe('203.0.113.0/24');
    expect(locationKey('2001:db8:1:2::5')).toBe(locationKey('2001:db8:1:2:aaaa::1'));
    expect(locationKey('2001:db8:1:2::5')).not.toBe(locationKey('2001:db8:1:3::5'));
    expect(locationKey(null)).toBe('unknown');
  });
});

describe('isSuccessUnchanged (a sign-in with nothing to write but its time)', () => {
  /** A small deterministic generator (mulberry32), so a failure names its seed. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const ADDRESSES = ['192.0.2.10', '192.0.2.77', '198.51.100.7', '2001:db8::1', '2001:db8::2:1', null];

  it('is true exactly when recordSuccess returns an equal state, on 20,000 generated states', () => {
    const rand = random(14);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const counter = () =>
      rand() < 0.6
        ? { failures: 0, lockouts: 0, lockedUntil: null }
        : {
            failures: pick([0, 0, 1, 9]),
            lockouts: pick([0, 0, 1, 3]),
            lockedUntil: pick([null, null, at(60), at(-60)]),
          };
    let unchanged = 0;
    for (let i = 0; i < 20_000; i++) {
      const places = [
        ...new Set(Array.from({ length: pick([0, 1, 2, 3, 20, 21]) }, () => locationKey(pick(ADDRESSES)))),
      ];
      const padded =
        places.length >= 20
          ? [...places, ...Array.from({ length: 21 - places.length }, (_, k) => `10.${k}.0.0/24`)]
          : places;
      const state: LockoutState = {
        familiar: counter(),
        unfamiliar: counter(),
        recentWrongFingerprints: rand() < 0.7 ? [] : ['w1', 'w2'].slice(0, pick([1, 2])),
        familiarLocations: padded,
      };
      const address = pick(ADDRESSES);
      const expected = JSON.stringify(recordSuccess(state, address)) === JSON.stringify(state);
      expect(isSuccessUnchanged(state, address, DEFAULT_LOCKOUT_RULES), `case ${i}`).toBe(expected);
      if (expected) unchanged += 1;
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(unchanged).toBeGreaterThan(1000);
    expect(unchanged).toBeLessThan(19_000);
  });

  it('a second sign-in from the same place right after the first has nothing to record', () => {
    const once = recordSuccess(fail(EMPTY_LOCKOUT, 3, '192.0.2.10'), '192.0.2.10');
    expect(isSuccessUnchanged(once, '192.0.2.44')).toBe(true);
    expect(isSuccessUnchanged(once, '198.51.100.7')).toBe(false);
    expect(isSuccessUnchanged(fail(once, 1, '192.0.2.10'), '192.0.2.10')).toBe(false);
  });
});

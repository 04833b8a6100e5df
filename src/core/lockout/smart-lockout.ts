import type { LockoutCounter, LockoutState } from '../directory/user.js';
import { EMPTY_LOCKOUT } from '../directory/user.js';

/**
 * Smart lockout after Microsoft Entra: `threshold` failures lock for `baseSeconds`, each further
 * lockout in the series twice as long, capped at `maxSeconds` (published: 60 s, 2 min, 4 min ... 1 h).
 * Familiar and unfamiliar locations count separately, so an attacker elsewhere cannot lock the
 * real user out of their usual place. A retry of one of the last 3 wrong passwords does not count.
 */
export interface LockoutRules {
  readonly threshold: number;
  readonly baseSeconds: number;
  readonly maxSeconds: number;
  /** How many recent wrong-password fingerprints are remembered. */
  readonly rememberWrong: number;
  /** How many familiar locations are remembered per user. */
  readonly rememberLocations: number;
}

/** Lock after 10 failures for 60 s, each further lockout twice as long up to 1 hour; the last 3 wrong passwords and 20 familiar locations are remembered. */
export const DEFAULT_LOCKOUT_RULES: LockoutRules = Object.freeze({
  threshold: 10,
  baseSeconds: 60,
  maxSeconds: 3600,
  rememberWrong: 3,
  rememberLocations: 20,
});

/**
 * A location key for a client address: the /24 of an IPv4 address, the /64 of an IPv6 address,
 * so a user's own network stays familiar as DHCP hands out neighbouring addresses.
 */
export function locationKey(address: string | null): string {
  if (!address) return 'unknown';
  const v4 = address.replace(/^::ffff:/i, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return v4.split('.').slice(0, 3).join('.') + '.0/24';
  if (address.includes(':')) {
    const groups = expandIpv6(address);
    return groups.slice(0, 4).join(':') + '::/64';
  }
  return address.toLowerCase();
}

function expandIpv6(address: string): string[] {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = address.includes('::') ? Array(Math.max(0, 8 - h.length - t.length)).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** Whether a sign-in comes from a location the user signed in from before; each kind has its own counter. */
export type LocationKind = 'familiar' | 'unfamiliar';

/** Which counter a sign-in from this address uses. */
export function locationKind(state: LockoutState, address: string | null): LocationKind {
  return state.familiarLocations.includes(locationKey(address)) ? 'familiar' : 'unfamiliar';
}

/** The end of the lockout that applies to a sign-in from `address`, or null when it may try. */
export function lockedUntil(state: LockoutState, address: string | null, now: Date): Date | null {
  const until = state[locationKind(state, address)].lockedUntil;
  return until !== null && until.getTime() > now.getTime() ? until : null;
}

/** True when either counter is locked at `now` (for lists and filters). */
export function isLockedOut(state: LockoutState, now: Date): boolean {
  return [state.familiar, state.unfamiliar].some(
    (c) => c.lockedUntil !== null && c.lockedUntil.getTime() > now.getTime(),
  );
}

/** Lockout duration of the n-th lockout in a series (n >= 1). */
export function lockoutSeconds(n: number, rules: LockoutRules = DEFAULT_LOCKOUT_RULES): number {
  return Math.min(rules.maxSeconds, rules.baseSeconds * 2 ** Math.max(0, n - 1));
}

/** Result of recording a failure: the new state and whether this failure started a lockout. */
export interface FailureOutcome {
  readonly state: LockoutState;
  readonly counted: boolean;
  readonly lockedNow: boolean;
  readonly lockedUntil: Date | null;
}

/** Records a failed sign-in with a wrong password whose keyed fingerprint is `fingerprint`. */
export function recordFailure(
  state: LockoutState,
  address: string | null,
  fingerprint: string,
  now: Date,
  rules: LockoutRules = DEFAULT_LOCKOUT_RULES,
): FailureOutcome {
  const kind = locationKind(state, address);
  if (state.recentWrongFingerprints.includes(fingerprint)) {
    return { state, counted: false, lockedNow: false, lockedUntil: lockedUntil(state, address, now) };
  }
  const recent = [fingerprint, ...state.recentWrongFingerprints].slice(0, rules.rememberWrong);
  const counter = state[kind];
  const failures = counter.failures + 1;
  let next: LockoutCounter;
  let lockedNow = false;
  if (failures >= rules.threshold) {
    const lockouts = counter.lockouts + 1;
    next = { failures: 0, lockouts, lockedUntil: new Date(now.getTime() + lockoutSeconds(lockouts, rules) * 1000) };
    lockedNow = true;
  } else {
    next = { ...counter, failures };
  }
  const newState: LockoutState = { ...state, recentWrongFingerprints: recent, [kind]: next };
  return { state: newState, counted: true, lockedNow, lockedUntil: next.lockedUntil };
}

/** A successful sign-in: this location becomes familiar, its counter and the series reset. */
export function recordSuccess(
  state: LockoutState,
  address: string | null,
  rules: LockoutRules = DEFAULT_LOCKOUT_RULES,
): LockoutState {
  const key = locationKey(address);
  const kind = locationKind(state, address);
  const familiarLocations = [key, ...state.familiarLocations.filter((l) => l !== key)].slice(
    0,
    rules.rememberLocations,
  );
  return {
    ...state,
    [kind]: { failures: 0, lockouts: 0, lockedUntil: null },
    recentWrongFingerprints: [],
    familiarLocations,
  };
}

/**
 * True when a successful sign-in from `address` would leave `state` exactly as it is (recordSuccess
 * returns an equal state): the place is already the most recent familiar one, its counter and series
 * are at zero and no wrong password is remembered. The sign-in then has nothing to write but its time.
 */
export function isSuccessUnchanged(
  state: LockoutState,
  address: string | null,
  rules: LockoutRules = DEFAULT_LOCKOUT_RULES,
): boolean {
  const next = recordSuccess(state, address, rules);
  return (
    sameCounter(next.familiar, state.familiar) &&
    sameCounter(next.unfamiliar, state.unfamiliar) &&
    sameList(next.recentWrongFingerprints, state.recentWrongFingerprints) &&
    sameList(next.familiarLocations, state.familiarLocations)
  );
}

function sameCounter(a: LockoutCounter, b: LockoutCounter): boolean {
  return (
    a.failures === b.failures && a.lockouts === b.lockouts && a.lockedUntil?.getTime() === b.lockedUntil?.getTime()
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An admin unlock or a self-service reset clears both counters (familiar locations are kept). */
export function clearLockout(state: LockoutState): LockoutState {
  return { ...EMPTY_LOCKOUT, familiarLocations: state.familiarLocations };
}

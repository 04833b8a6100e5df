import type { WindowCheck, WindowResult } from '../../ports/counter-store.js';
import { bucketExpiry, bucketOf, bucketWidth, fitsLimit, oldestCountedBucket } from './sliding-window.js';

/** A user's windows with a fixed name get a slot number of their own and no string at all. */
const FIXED_NAMES = ['msg', 'ext', 'int', 'day', 'spam', 'newaddr', 'burst'] as const;
/**
 * One window's record: windowMs, total, number of pairs, then the pairs. In an owner's packed array
 * each record follows its slot number; a kept-apart window (Owner.spilled) is a record alone.
 */
const RECORD_HEADER = 3;
/** Header of one window in an owner's packed array: the slot, then the record's header. */
const HEADER = 1 + RECORD_HEADER;

/**
 * One key's window while a call works on it: unpacked from its owner's array, worked on with the
 * same arithmetic (and the same order of floating-point steps) as the former one-object-per-key
 * windows, then packed back.
 */
class Window {
  constructor(
    readonly windowMs: number,
    readonly width: number,
    public cells: number[] = [],
    public total = 0,
  ) {}

  prune(nowMs: number): number {
    const oldest = oldestCountedBucket(nowMs, this.windowMs, this.width);
    let drop = 0;
    while (drop < this.cells.length && (this.cells[drop] as number) < oldest) {
      this.total -= this.cells[drop + 1] as number;
      drop += 2;
    }
    if (drop === this.cells.length) this.cells = [];
    else if (drop > 0) this.cells.splice(0, drop);
    return this.total;
  }

  add(nowMs: number, amount: number): void {
    const b = bucketOf(nowMs, this.width);
    this.total += amount;
    const cells = this.cells;
    let i = cells.length - 2;
    while (i >= 0 && (cells[i] as number) > b) i -= 2;
    if (i >= 0 && cells[i] === b) cells[i + 1] = (cells[i + 1] as number) + amount;
    else cells.splice(i + 2, 0, b, amount);
  }
}

/**
 * All windows of one owner (the key up to the user id, "u:<userId>:"; a key of another shape is
 * its own owner) in one exactly sized array of numbers: per window [slot, windowMs, total, n,
 * bucket, amount, ...n pairs], buckets ascending. A plain number array of small integers and
 * doubles is 8 bytes an element with a 16-byte header; a Float64Array costs ~200 bytes more per
 * owner (its ArrayBuffer and off-heap backing store), measured on Node 20.
 */
interface Owner {
  data: number[];
  /** Names of windows outside FIXED_NAMES (addr:<ip>, body:<hash>...), slot = FIXED_NAMES.length + index. */
  names: (string | undefined)[] | null;
  /**
   * Past SPILL_AFTER named windows (a sender of many distinct bodies, or many client addresses),
   * those windows live here instead, each record in an array of its own:
   * in `data` every new one would scan and copy all the others, and a sender of 10,000 distinct
   * messages an hour paid that at every message. `names` is then null.
   */
  spilled: Map<string, number[]> | null;
}

/** Named windows an owner keeps packed in `data`; the next one moves them all to `spilled`. */
const SPILL_AFTER = 16;

/** Where a key's window lives: its owner's key and its name within the owner. */
interface Place {
  readonly ownerKey: string;
  readonly name: string;
}

function placeOf(key: string): Place {
  if (key.startsWith('u:')) {
    const end = key.indexOf(':', 2);
    if (end !== -1) return { ownerKey: key.slice(0, end + 1), name: key.slice(end + 1) };
  }
  return { ownerKey: key, name: '' };
}

/** The last check before `i` with the same key, or -1. */
function previousOf(checks: readonly WindowCheck[], i: number): number {
  const key = (checks[i] as WindowCheck).key;
  for (let j = i - 1; j >= 0; j--) if ((checks[j] as WindowCheck).key === key) return j;
  return -1;
}

/** Offset of the window with `slot` in `data`, or -1. */
function findSlot(data: readonly number[], slot: number): number {
  for (let off = 0; off < data.length; off += HEADER + 2 * (data[off + 3] as number))
    if (data[off] === slot) return off;
  return -1;
}

/**
 * Sliding windows by key, in memory and synchronous, with the exact semantics of one window per
 * key (bucket widths of sliding-window.ts, all-or-nothing consume, expiry by sweep) but packed
 * per owner: one Map entry and one array per user instead of one Map entry, one object, one
 * array and one key string per window. See SlidingWindows, which is this class.
 */
export class PackedWindows {
  readonly #owners = new Map<string, Owner>();
  #size = 0;

  /**
   * All checks pass and every amount is added, or nothing is added (the first failing check is
   * named). Totals are after adding when allowed, before adding when refused.
   */
  consume(checks: readonly WindowCheck[], nowMs: number): WindowResult {
    // The windows this call works on, one per check; a key named twice shares its window unless the
    // later check has another length (then a new window replaces it). Each key is split once.
    const n = checks.length;
    const windows = new Array<Window>(n);
    const places = new Array<Place>(n);
    for (let i = 0; i < n; i++) {
      const c = checks[i] as WindowCheck;
      const prev = previousOf(checks, i);
      const place = prev === -1 ? placeOf(c.key) : (places[prev] as Place);
      places[i] = place;
      const known = prev === -1 ? this.#load(place) : windows[prev];
      windows[i] =
        known !== undefined && known.windowMs === c.windowMs ? known : new Window(c.windowMs, bucketWidth(c.windowMs));
    }
    const totals = windows.map((w) => w.prune(nowMs));
    const failedIndex = checks.findIndex((c, i) => !fitsLimit(totals[i] as number, c.amount, c.limit));
    if (failedIndex === -1) {
      checks.forEach((c, i) => {
        if (c.amount !== 0) (windows[i] as Window).add(nowMs, c.amount);
      });
    }
    // Each key once, in the order first named, with the window its last check left.
    for (let i = 0; i < n; i++) {
      if (previousOf(checks, i) !== -1) continue;
      let last = i;
      for (let j = i + 1; j < n; j++) if ((checks[j] as WindowCheck).key === (checks[i] as WindowCheck).key) last = j;
      this.#store(places[i] as Place, windows[last] as Window);
    }
    if (failedIndex !== -1) return { allowed: false, totals, failedIndex };
    const after = windows.map((w) => w.total);
    checks.forEach((c, i) => {
      if (c.marks !== undefined && c.amount > 0 && after[i] === c.amount)
        this.consume([{ key: c.marks.key, windowMs: c.marks.windowMs, limit: 0, amount: 1 }], nowMs);
    });
    return { allowed: true, totals: after, failedIndex: -1 };
  }

  /** The groups in order, each as `consume`, up to and including the first one refused. */
  consumeInOrder(groups: readonly (readonly WindowCheck[])[], nowMs: number): WindowResult[] {
    const results: WindowResult[] = [];
    for (const checks of groups) {
      const result = this.consume(checks, nowMs);
      results.push(result);
      if (!result.allowed) break;
    }
    return results;
  }

  /** The totals of these keys at `nowMs`, adding nothing (0 for an unknown key). */
  peek(keys: readonly { key: string }[], nowMs: number): number[] {
    return keys.map((k) => {
      const place = placeOf(k.key);
      const w = this.#load(place);
      if (w === undefined) return 0;
      const before = w.cells.length;
      const total = w.prune(nowMs);
      if (w.cells.length !== before) this.#store(place, w);
      return total;
    });
  }

  /** Forgets every key that starts with `prefix`. */
  reset(prefix: string): void {
    for (const [ownerKey, owner] of this.#owners) {
      if (ownerKey.startsWith(prefix)) {
        this.#size -= countWindows(owner.data) + (owner.spilled?.size ?? 0);
        this.#owners.delete(ownerKey);
      } else if (prefix.startsWith(ownerKey)) {
        const rest = prefix.slice(ownerKey.length);
        this.#keepSpilled(owner, (name) => !name.startsWith(rest));
        this.#keep(ownerKey, owner, (slot) => !nameOf(owner, slot).startsWith(rest));
      }
    }
  }

  /** Forgets every key whose newest bucket has left its window by `nowMs`. */
  sweep(nowMs: number): void {
    for (const [ownerKey, owner] of this.#owners) {
      this.#keepSpilled(owner, (_name, record) => recordExpiry(record, 0) > nowMs);
      this.#keep(ownerKey, owner, (_slot, off, data) => recordExpiry(data, off + 1) > nowMs);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#owners.clear();
    this.#size = 0;
  }

  /** Number of keys held. */
  get size(): number {
    return this.#size;
  }

  /** Number of owners (users) held, for the memory probe. */
  get owners(): number {
    return this.#owners.size;
  }

  #load({ ownerKey, name }: Place): Window | undefined {
    const owner = this.#owners.get(ownerKey);
    if (owner === undefined) return undefined;
    if (owner.spilled !== null && !isFixed(name)) {
      const record = owner.spilled.get(name);
      return record === undefined ? undefined : readRecord(record, 0);
    }
    const slot = slotOf(owner, name, false);
    if (slot === -1) return undefined;
    const data = owner.data;
    const off = findSlot(data, slot);
    return off === -1 ? undefined : readRecord(data, off + 1);
  }

  #store({ ownerKey, name }: Place, w: Window): void {
    let owner = this.#owners.get(ownerKey);
    // A look at a key that holds nothing (an amount of 0: the new-address mark, an alert's gate)
    // leaves nothing behind: an absent window and an empty one count the same.
    if (w.cells.length === 0 && (owner === undefined || !hasSlot(owner, name))) return;
    if (owner === undefined) {
      // A fresh copy, so the owner's key does not keep the whole first key string alive.
      owner = { data: [], names: null, spilled: null };
      this.#owners.set(flat(ownerKey), owner);
    }
    if (owner.spilled !== null && !isFixed(name)) {
      const old = owner.spilled.get(name);
      if (old === undefined) this.#size += 1;
      if (old !== undefined && old.length === RECORD_HEADER + w.cells.length) writeRecord(old, 0, w);
      else
        owner.spilled.set(old === undefined ? flat(name) : name, [w.windowMs, w.total, w.cells.length / 2, ...w.cells]);
      return;
    }
    const slot = slotOf(owner, name, true);
    const old = owner.data;
    let off = findSlot(old, slot);
    const oldLength = off === -1 ? 0 : HEADER + 2 * (old[off + 3] as number);
    if (oldLength === HEADER + w.cells.length) {
      // Same size (the usual case: an amount added to a bucket that was there): written in place.
      writeRecord(old, off + 1, w);
      return;
    }
    if (off === -1) {
      off = old.length;
      this.#size += 1;
    }
    const data = new Array<number>(old.length - oldLength + HEADER + w.cells.length);
    let j = 0;
    for (let i = 0; i < off; i++) data[j++] = old[i] as number;
    data[j++] = slot;
    data[j++] = w.windowMs;
    data[j++] = w.total;
    data[j++] = w.cells.length / 2;
    for (const c of w.cells) data[j++] = c;
    for (let i = off + oldLength; i < old.length; i++) data[j++] = old[i] as number;
    owner.data = data;
    if (owner.names !== null && owner.names.length > SPILL_AFTER) spill(owner);
  }

  /** Keeps the spilled windows for which `keep` is true; none left, the owner packs again (`spilled` null). */
  #keepSpilled(owner: Owner, keep: (name: string, w: readonly number[]) => boolean): void {
    const spilled = owner.spilled;
    if (spilled === null) return;
    for (const [name, w] of spilled) {
      if (keep(name, w)) continue;
      spilled.delete(name);
      this.#size -= 1;
    }
    if (spilled.size === 0) owner.spilled = null;
  }

  /** Keeps the windows of an owner for which `keep` is true (rebuilt exactly sized); drops an empty owner. */
  #keep(ownerKey: string, owner: Owner, keep: (slot: number, off: number, data: readonly number[]) => boolean): void {
    const data = owner.data;
    const kept: number[] = [];
    let dropped = 0;
    for (let off = 0; off < data.length; ) {
      const end = off + HEADER + 2 * (data[off + 3] as number);
      const slot = data[off] as number;
      if (keep(slot, off, data)) {
        for (let i = off; i < end; i++) kept.push(data[i] as number);
      } else {
        dropped += 1;
        if (slot >= FIXED_NAMES.length && owner.names !== null) owner.names[slot - FIXED_NAMES.length] = undefined;
      }
      off = end;
    }
    if (dropped === 0) {
      if (data.length === 0 && owner.spilled === null) this.#owners.delete(ownerKey);
      return;
    }
    this.#size -= dropped;
    if (kept.length === 0 && owner.spilled === null) {
      this.#owners.delete(ownerKey);
      return;
    }
    owner.data = kept.slice();
    if (owner.names !== null && owner.names.every((n) => n === undefined)) owner.names = null;
  }
}

function countWindows(data: readonly number[]): number {
  let n = 0;
  for (let off = 0; off < data.length; off += HEADER + 2 * (data[off + 3] as number)) n += 1;
  return n;
}

/** The window whose record starts at `at`. */
function readRecord(a: readonly number[], at: number): Window {
  const windowMs = a[at] as number;
  const end = at + RECORD_HEADER + 2 * (a[at + 2] as number);
  return new Window(windowMs, bucketWidth(windowMs), a.slice(at + RECORD_HEADER, end), a[at + 1]);
}

/** Writes `w` over the record at `at`, which has room for exactly its pairs. */
function writeRecord(a: number[], at: number, w: Window): void {
  a[at] = w.windowMs;
  a[at + 1] = w.total;
  for (let i = 0; i < w.cells.length; i++) a[at + RECORD_HEADER + i] = w.cells[i] as number;
}

/** When every bucket of the record at `at` has left its window (0: it has none). */
function recordExpiry(a: readonly number[], at: number): number {
  const n = a[at + 2] as number;
  if (n === 0) return 0;
  const windowMs = a[at] as number;
  return bucketExpiry(a[at + RECORD_HEADER + 2 * (n - 1)] as number, windowMs, bucketWidth(windowMs));
}

function nameOf(owner: Owner, slot: number): string {
  return slot < FIXED_NAMES.length
    ? (FIXED_NAMES[slot] as string)
    : (owner.names?.[slot - FIXED_NAMES.length] as string);
}

/** The slot of a window name in this owner; with `create`, a new one for an unknown name, else -1. */
function slotOf(owner: Owner, name: string, create: boolean): number {
  // indexOf compares a few short strings; a Map would hash each key's freshly built name first.
  const fixed = (FIXED_NAMES as readonly string[]).indexOf(name);
  if (fixed !== -1) return fixed;
  const names = owner.names;
  const found = names === null ? -1 : names.indexOf(name);
  if (found !== -1) return FIXED_NAMES.length + found;
  if (!create) return -1;
  if (names === null) {
    owner.names = [flat(name)];
    return FIXED_NAMES.length;
  }
  const free = names.indexOf(undefined);
  const index = free === -1 ? names.length : free;
  names[index] = flat(name);
  return FIXED_NAMES.length + index;
}

/** Whether the owner holds a window named `name`. */
function hasSlot(owner: Owner, name: string): boolean {
  if (owner.spilled !== null && !isFixed(name)) return owner.spilled.has(name);
  const slot = slotOf(owner, name, false);
  return slot !== -1 && findSlot(owner.data, slot) !== -1;
}

function isFixed(name: string): boolean {
  return (FIXED_NAMES as readonly string[]).includes(name);
}

/** Moves an owner's named windows out of `data` into `spilled`, one array each. */
function spill(owner: Owner): void {
  const spilled = new Map<string, number[]>();
  const fixed: number[] = [];
  const data = owner.data;
  for (let off = 0; off < data.length; ) {
    const end = off + HEADER + 2 * (data[off + 3] as number);
    const slot = data[off] as number;
    if (slot < FIXED_NAMES.length) for (let i = off; i < end; i++) fixed.push(data[i] as number);
    else spilled.set(nameOf(owner, slot), data.slice(off + 1, end));
    off = end;
  }
  owner.data = fixed.slice();
  owner.names = null;
  owner.spilled = spilled;
}

/** A copy of `s` that does not share (and so keep alive) the string it was sliced from. */
function flat(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1).split('').join('');
}

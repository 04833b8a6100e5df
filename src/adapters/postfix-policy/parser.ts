/**
 * The framing of the Postfix policy delegation protocol (SMTPD_POLICY_README): a request is
 * `name=value` lines ending with an empty line, several requests per connection. Postfix sends
 * `\n`; a `\r\n` is tolerated. Limits keep a broken or hostile client from growing our memory:
 * a line over MAX_LINE_BYTES or a request over MAX_ATTRIBUTES is a protocol violation, after
 * which the connection cannot be trusted to resynchronise and is closed by the server.
 */

/** Longest accepted line in bytes, without its newline. */
export const MAX_LINE_BYTES = 2048;
/** Most attributes in one request; Postfix 3.x sends about 30. */
export const MAX_ATTRIBUTES = 100;

/** One complete request: attribute names to values (a repeated name keeps its last value). */
export type PolicyAttributes = ReadonlyMap<string, string>;

/** What feeding bytes produced, in order. */
export type ParseEvent =
  | { readonly kind: 'request'; readonly attributes: PolicyAttributes }
  | { readonly kind: 'violation'; readonly reason: string };

import { isAscii } from 'node:buffer';
import { detached } from '../shared/detached.js';

const NEWLINE = 0x0a;
const MAX_NAME_CHARS = 64;

/**
 * An attribute name as Postfix writes them (request, protocol_state, sasl_username, ...):
 * [A-Za-z0-9_.-]{1,64} on text[from, to), by character codes (no substring, no regex).
 */
function isNameAt(text: string, from: number, to: number): boolean {
  const length = to - from;
  if (length < 1 || length > MAX_NAME_CHARS) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 0x61 && c <= 0x7a) || // a-z
      (c >= 0x41 && c <= 0x5a) || // A-Z
      (c >= 0x30 && c <= 0x39) || // 0-9
      c === 0x5f || // _
      c === 0x2e || // .
      c === 0x2d; // -
    if (!ok) return false;
  }
  return true;
}

/** Names by length, for the `keep` option: a line's name is compared only with names of its length. */
function namesByLength(names: readonly string[]): readonly (readonly string[] | undefined)[] {
  const byLength: string[][] = [];
  for (const name of names) (byLength[name.length] ??= []).push(name);
  return byLength;
}

/**
 * Incremental parser for one connection. After the first violation it stops parsing: every
 * later `feed` returns nothing, and the caller is expected to close the connection.
 *
 * With `keep`, every line is still checked as before but only the named attributes are stored:
 * Postfix sends about 30 and the policy service reads 6 (measured: the name and value copies and
 * the Map inserts of the other 25 were most of the parser's cost).
 */
export class PolicyParser {
  readonly #kept: readonly (readonly string[] | undefined)[] | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #attributes = new Map<string, string>();
  #lines = 0;
  #broken = false;

  constructor(options: { readonly keep?: readonly string[] } = {}) {
    this.#kept = options.keep === undefined ? undefined : namesByLength(options.keep);
  }

  /** True once a violation was reported. */
  get isBroken(): boolean {
    return this.#broken;
  }

  /** True while a request has started but its empty line has not arrived. */
  get hasPartialRequest(): boolean {
    return this.#lines > 0 || this.#pendingBytes > 0;
  }

  feed(chunk: Buffer): ParseEvent[] {
    if (this.#broken) return [];
    // What Postfix sends is ASCII and arrives one request per read: then one string is scanned,
    // with no Buffer slice, decode and regex per line (measured: the parser was 12-15 % of the
    // policy service's CPU). Anything else (UTF-8, a line split across reads) takes the general path.
    if (this.#pendingBytes === 0 && isAscii(chunk)) return this.#feedAscii(chunk);
    return this.#feedBytes(chunk);
  }

  /** feed() for a chunk of ASCII bytes with nothing pending: the same rules, on one latin1 string. */
  #feedAscii(chunk: Buffer): ParseEvent[] {
    const events: ParseEvent[] = [];
    const text = chunk.toString('latin1');
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        this.#keep(events, chunk.subarray(start));
        break;
      }
      const from = start;
      let end = nl;
      start = nl + 1;
      if (end > from && text.charCodeAt(end - 1) === 0x0d) end -= 1;
      if (!this.#line(events, text, from, end, end - from, chunk)) break;
    }
    return events;
  }

  /** feed() for any bytes: lines are cut from the buffer and decoded as UTF-8 one by one. */
  #feedBytes(chunk: Buffer): ParseEvent[] {
    const events: ParseEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.#keep(events, chunk.subarray(start));
        break;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      let line = this.#pendingBytes === 0 ? piece : Buffer.concat([...this.#pending, piece]);
      this.#pending = [];
      this.#pendingBytes = 0;
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      const text = line.toString('utf8');
      if (!this.#line(events, text, 0, text.length, line.length, undefined)) break;
    }
    return events;
  }

  /** Keeps the unfinished end of a read for the next one, unless that line is already too long. */
  #keep(events: ParseEvent[], rest: Buffer): void {
    if (this.#pendingBytes + rest.length > MAX_LINE_BYTES + 1) {
      this.#violate(events, `a line is longer than ${MAX_LINE_BYTES} bytes`);
      return;
    }
    this.#pending.push(rest);
    this.#pendingBytes += rest.length;
  }

  /**
   * One complete line, text[from, end) without its newline or CR and `bytes` long: an attribute, or
   * the empty line that ends a request. False after a violation (the caller stops reading).
   */
  #line(
    events: ParseEvent[],
    text: string,
    from: number,
    end: number,
    bytes: number,
    latin1: Buffer | undefined,
  ): boolean {
    if (bytes > MAX_LINE_BYTES) {
      this.#violate(events, `a line is longer than ${MAX_LINE_BYTES} bytes`);
      return false;
    }
    if (end === from) {
      events.push({ kind: 'request', attributes: this.#attributes });
      this.#attributes = new Map();
      this.#lines = 0;
      return true;
    }
    this.#lines += 1;
    if (this.#lines > MAX_ATTRIBUTES) {
      this.#violate(events, `a request has more than ${MAX_ATTRIBUTES} attributes`);
      return false;
    }
    const eq = text.indexOf('=', from);
    if (eq === -1 || eq >= end || !isNameAt(text, from, eq)) {
      this.#violate(events, `line ${this.#lines} of a request is not name=value`);
      return false;
    }
    const name = this.#kept === undefined ? text.slice(from, eq) : keptName(this.#kept, text, from, eq);
    // A value is a string of its own, never a view into the read it came from: values outlive their
    // request (a login as the sender cache's key, a client address in a counter name, an envelope's
    // addresses), and a view would keep the whole ~1.5 kB read alive with each (adapters/shared/detached.ts).
    // An ASCII read decodes each value straight from its bytes (text's offsets are the bytes').
    if (name !== undefined)
      this.#attributes.set(
        name,
        latin1 === undefined ? detached(text.slice(eq + 1, end)) : latin1.toString('latin1', eq + 1, end),
      );
    return true;
  }

  #violate(events: ParseEvent[], reason: string): ParseEvent[] {
    this.#broken = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#attributes = new Map();
    events.push({ kind: 'violation', reason });
    return events;
  }
}

/** The kept name that text[from, to) spells, or undefined: compared in place, no substring. */
function keptName(
  byLength: readonly (readonly string[] | undefined)[],
  text: string,
  from: number,
  to: number,
): string | undefined {
  const candidates = byLength[to - from];
  if (candidates === undefined) return undefined;
  for (const name of candidates) if (text.startsWith(name, from)) return name;
  return undefined;
}

/**
 * The relay writes the message to the next hop as slices of its parts (the trace lines, then the
 * client's bytes) with the stuffing dots between them, instead of joining and copying it. If this
 * went wrong a recipient would see a line that lost or gained a leading dot, the next hop would
 * take a line "." inside the message as its end (the rest of the message, or commands smuggled in
 * it, read as SMTP), or the message would never end.
 *
 * No fakes: pure functions, the previous implementation kept below as the reference.
 */
import { describe, expect, it } from 'vitest';
import { writeDotStuffed } from '../../src/adapters/relay/smtp-client.js';
import { prng } from '../support/prng.js';

/** The previous `dotStuff` of smtp-client.ts (before the parts were written as slices), unchanged. */
function referenceDotStuff(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  if (raw[0] === 0x2e) {
    parts.push(Buffer.from('.'));
  }
  for (let i = raw.indexOf('\r\n.'); i !== -1; i = raw.indexOf('\r\n.', i + 3)) {
    parts.push(raw.subarray(start, i + 2), Buffer.from('.'));
    start = i + 2;
  }
  parts.push(raw.subarray(start));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d && raw[raw.length - 1] === 0x0a;
  parts.push(Buffer.from(endsWithCrlf || raw.length === 0 ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

function stuffed(parts: readonly Buffer[]): { bytes: Buffer; writes: Buffer[] } {
  const writes: Buffer[] = [];
  writeDotStuffed(parts, (chunk) => writes.push(chunk));
  return { bytes: Buffer.concat(writes), writes };
}

/** Cuts `whole` into parts at the given offsets (empty parts included where two offsets meet). */
function cut(whole: Buffer, offsets: readonly number[]): Buffer[] {
  const sorted = [...offsets].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const at of sorted) {
    parts.push(whole.subarray(from, at));
    from = at;
  }
  parts.push(whole.subarray(from));
  return parts;
}

// Lines that matter to stuffing: dots at the start, alone, doubled, a fake end, CR and LF apart.
const LINES = ['.', '..', '...', '.x', '..x', 'x.', 'a.b', '', ' .', 'plain text', '.\r', '\r', '\n', '\n.', 'é.ü'];

function randomBody(next: () => number): Buffer {
  const count = Math.floor(next() * 12);
  let text = '';
  for (let i = 0; i < count; i++) {
    text += LINES[Math.floor(next() * LINES.length)] ?? '';
    // Mostly CRLF; sometimes nothing (no final CRLF) or a bare CR / LF, which the old code took too.
    const r = next();
    text += r < 0.8 ? '\r\n' : r < 0.9 ? '' : r < 0.95 ? '\n' : '\r';
  }
  return Buffer.from(text, 'utf8');
}

describe('dot-stuffing the message for the next hop', () => {
  it('writes the same bytes as the previous code on 20,000 generated bodies cut into parts anywhere', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const next = prng(seed);
      const whole = randomBody(next);
      const cuts = Array.from({ length: Math.floor(next() * 5) }, () => Math.floor(next() * (whole.length + 1)));
      const parts = cut(whole, cuts);
      const expected = referenceDotStuff(whole).toString('latin1');
      const actual = stuffed(parts).bytes.toString('latin1');
      // The seed and the parts replay a failure.
      if (actual !== expected) expect({ seed, parts: parts.map((p) => p.toString('latin1')), actual }).toBe(expected);
    }
  });

  it('stuffs a dot right after every part boundary, at every cut of a message full of dot lines', () => {
    const whole = Buffer.from('Received: by x;\r\n.\r\n..\r\n.a\r\nb\r\n.\r\n', 'latin1');
    const expected = referenceDotStuff(whole);
    for (let a = 0; a <= whole.length; a++) {
      for (let b = a; b <= whole.length; b++) {
        expect(stuffed(cut(whole, [a, b])).bytes.toString('latin1')).toBe(expected.toString('latin1'));
      }
    }
  });

  it('ends an empty message, one without a final CRLF and one part that is only CRLF as the previous code did', () => {
    expect(stuffed([]).bytes.toString()).toBe('.\r\n');
    expect(stuffed([Buffer.alloc(0), Buffer.alloc(0)]).bytes.toString()).toBe('.\r\n');
    expect(stuffed([Buffer.from('a: b\r\n'), Buffer.from('\r\nno final line end')]).bytes.toString()).toBe(
      'a: b\r\n\r\nno final line end\r\n.\r\n',
    );
    expect(stuffed([Buffer.from('a: b\r'), Buffer.from('\n')]).bytes.toString()).toBe('a: b\r\n.\r\n');
    expect(stuffed([Buffer.from('\r\n')]).bytes.toString()).toBe('\r\n.\r\n');
    expect(stuffed([Buffer.from('.')]).bytes.toString()).toBe('..\r\n.\r\n');
  });

  it('hands on a body without a line starting with "." as the very same Buffers, no copy', () => {
    const trace = own('Received: by x;\r\n');
    const body = own('Subject: hi\r\n\r\nno dots. at line starts\r\n');
    const { writes } = stuffed([trace, body]);
    expect(writes.length).toBe(3);
    expect(writes[0]).toBe(trace);
    expect(writes[1]).toBe(body);
    expect(writes[2]?.toString()).toBe('.\r\n');
    // A stuffed body is written as views of the client's bytes, never as a copy of them.
    const dotted = own('Subject: hi\r\n\r\n.one\r\n..two\r\n');
    const views = stuffed([trace, dotted]).writes.filter((w) => w.length > 1 && w.toString() !== '.\r\n');
    expect(views.map((w) => w.buffer === trace.buffer || w.buffer === dotted.buffer)).toEqual(views.map(() => true));
  });
});

/** A Buffer with its own memory (not a slice of Node's shared pool), so a view of it can be told apart. */
function own(text: string): Buffer {
  const b = Buffer.alloc(Buffer.byteLength(text));
  b.write(text);
  return b;
}

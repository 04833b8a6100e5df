import { describe, expect, it } from 'vitest';
import {
  MAX_ATTRIBUTES,
  MAX_LINE_BYTES,
  PolicyParser,
  type ParseEvent,
} from '../../src/adapters/postfix-policy/parser.js';
import { prng } from '../support/prng.js';

/** Events as plain data, so two parsers' outputs compare with toEqual. */
function plain(events: readonly ParseEvent[]): unknown[] {
  return events.map((e) => (e.kind === 'request' ? { request: [...e.attributes] } : { violation: e.reason }));
}

/** Everything a parser says for `bytes` cut into the given pieces, until its first violation. */
function parse(bytes: Buffer, cuts: readonly number[]): unknown[] {
  const parser = new PolicyParser();
  const out: unknown[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    out.push(...plain(parser.feed(bytes.subarray(from, to))));
    from = to;
  }
  return out;
}

/** A random stream of requests, mostly well formed, with the protocol's edge cases mixed in. */
function randomStream(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const lines: string[] = [];
  // Most streams are ASCII (the fast path); some carry UTF-8 values (the general path).
  const values = ['smtpd_access_policy', 'RCPT', 'rob@contoso.com', '', 'a=b=c', ' spaced '];
  if (random() < 0.3) values.push('ünïcödé@bücher.example');
  for (let r = 0; r < 1 + Math.floor(random() * 4); r++) {
    const count = random() < 0.05 ? MAX_ATTRIBUTES + 1 : 1 + Math.floor(random() * 35);
    for (let i = 0; i < count; i++) {
      const roll = random();
      const eol = random() < 0.2 ? '\r' : '';
      if (roll < 0.02) lines.push(`no equals sign here${eol}`);
      else if (roll < 0.04) lines.push(`bad name!=x${eol}`);
      else if (roll < 0.05) lines.push(`=empty name${eol}`);
      else if (roll < 0.06) lines.push(`${'n'.repeat(65)}=long name${eol}`);
      else if (roll < 0.07) lines.push(`long=${'v'.repeat(MAX_LINE_BYTES - 5 + Math.floor(random() * 3))}${eol}`);
      else {
        const name = pick(['request', 'protocol_state', 'sasl_username', 'sender', 'recipient', 'instance', 'x.y-z_9']);
        const value = pick(values);
        lines.push(`${name}=${value}${eol}`);
      }
    }
    lines.push(random() < 0.1 ? '\r' : '');
  }
  return lines.join('\n') + (random() < 0.3 ? 'trailing=partial' : '\n');
}

describe('Postfix policy parser', () => {
  it('reads a request Postfix sends in one piece, attribute by attribute', () => {
    const bytes = Buffer.from('request=smtpd_access_policy\nprotocol_state=RCPT\r\nsender=a=b@contoso.com\nempty=\n\n');
    expect(parse(bytes, [])).toEqual([
      {
        request: [
          ['request', 'smtpd_access_policy'],
          ['protocol_state', 'RCPT'],
          ['sender', 'a=b@contoso.com'],
          ['empty', ''],
        ],
      },
    ]);
  });

  it('names the broken rule and then ignores the connection', () => {
    const parser = new PolicyParser();
    expect(plain(parser.feed(Buffer.from('request=x\nbad name=1\n\n')))).toEqual([
      { violation: 'line 2 of a request is not name=value' },
    ]);
    expect(parser.isBroken).toBe(true);
    expect(parser.feed(Buffer.from('request=x\n\n'))).toEqual([]);
    expect(plain(new PolicyParser().feed(Buffer.from(`a=${'x'.repeat(MAX_LINE_BYTES)}\n`)))).toEqual([
      { violation: `a line is longer than ${MAX_LINE_BYTES} bytes` },
    ]);
    expect(plain(new PolicyParser().feed(Buffer.from(`a=${'x'.repeat(MAX_LINE_BYTES)}`)))).toEqual([
      { violation: `a line is longer than ${MAX_LINE_BYTES} bytes` },
    ]);
  });

  it('gives the same events whether a stream arrives whole, byte by byte or cut at random (ASCII and UTF-8 paths)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const bytes = Buffer.from(randomStream(random), 'utf8');
      const whole = parse(bytes, []);
      const byteByByte = parse(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      );
      const cuts = [...new Set(Array.from({ length: 4 }, () => Math.floor(random() * bytes.length)))].sort(
        (a, b) => a - b,
      );
      expect(whole, `seed ${seed}`).toEqual(byteByByte);
      expect(parse(bytes, cuts), `seed ${seed}`).toEqual(whole);
    }
  });

  it('decodes UTF-8 values, also when a character is cut between two reads', () => {
    const bytes = Buffer.from('request=smtpd_access_policy\nsender=jörg@bücher.example\n\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    const expected = [
      {
        request: [
          ['request', 'smtpd_access_policy'],
          ['sender', 'jörg@bücher.example'],
        ],
      },
    ];
    expect(parse(bytes, [])).toEqual(expected);
    expect(parse(bytes, [cut])).toEqual(expected);
  });
});

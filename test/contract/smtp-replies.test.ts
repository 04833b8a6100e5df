/**
 * contract.md's "SMTP answers" table is what mail clients and scripts see; replies.ts is the
 * only code that produces those lines. If this fails, a client would get a reply the contract
 * does not promise (or a new row has no code yet). The contract lives beside the repository
 * (`../shared/contract.md` from the repo root), as CI clones it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SMTP_REPLIES } from '../../src/adapters/smtp/replies.js';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';

const CONTRACT = fileURLToPath(new URL('../../../shared/contract.md', import.meta.url));

/** Which codes each row of the table speaks for (matched on the start of the situation text). */
const ROW_CODES: readonly (readonly [string, readonly ErrorCode[]])[] = [
  ['bad user or password', ['AUTH_FAILED', 'SIGN_IN_BLOCKED']],
  ['account locked out', ['ACCOUNT_LOCKED']],
  ['sender is restricted', ['SENDER_RESTRICTED']],
  ['MAIL FROM not the user', ['SENDER_NOT_ALLOWED']],
  ['too many recipients', ['TOO_MANY_RECIPIENTS']],
  ['messages-per-minute throttle', ['RATE_LIMITED']],
  ['message over the size limit', ['MESSAGE_TOO_LARGE']],
  ['next hop refused or unreachable', ['RELAY_UNAVAILABLE']],
  ['store or counter service unavailable', ['STORE_UNAVAILABLE', 'COUNTERS_UNAVAILABLE']],
];

function smtpTable(markdown: string): { situation: string; reply: string }[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('SMTP answers'));
  if (section === undefined) throw new Error('contract.md has no "## SMTP answers" section');
  return section
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l) && !/^\|\s*situation\s*\|/.test(l))
    .map((l) => {
      const [situation = '', reply = ''] = l
        .split('|')
        .slice(1, 3)
        .map((c) => c.trim());
      // "its own permanent answer, or `451 ...`": our line is the last quoted one.
      const quoted = [...reply.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
      return { situation, reply: quoted.at(-1) ?? '' };
    });
}

describe('SMTP replies match contract.md', () => {
  const rows = smtpTable(readFileSync(CONTRACT, 'utf8'));

  it('finds the table', () => {
    expect(rows.length).toBeGreaterThanOrEqual(ROW_CODES.length);
  });

  for (const row of rows) {
    it(`"${row.situation}" -> ${row.reply}`, () => {
      const match = ROW_CODES.find(([start]) => row.situation.startsWith(start));
      expect(match, `no ErrorCode is mapped to the contract row "${row.situation}"; add it to ROW_CODES`).toBeDefined();
      for (const code of match![1]) expect(SMTP_REPLIES[code], code).toBe(row.reply);
    });
  }

  it('maps every ErrorCode to a well-formed reply (code, enhanced code, text)', () => {
    for (const code of ERROR_CODES) {
      const reply = SMTP_REPLIES[code];
      expect(reply, code).toMatch(/^[45]\d\d [45]\.\d{1,3}\.\d{1,3} \S/);
      // The enhanced code's class must agree with the reply code's (RFC 3463).
      expect(reply[4], code).toBe(reply[0]);
    }
  });
});

/**
 * A client submitting through a Postfix that delegates to Sendwarden must see the same lines
 * contract.md's "SMTP answers" table promises for our own gateway: Postfix sends an `NNN text`
 * action as the reply (access(5)). If this fails, a restricted sender gets a different (or no)
 * enhanced code through Postfix, or a code reaches Postfix as something it cannot parse. The
 * contract lives beside the repository (`../shared/contract.md` from the repo root).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionFor, actionForError, DUNNO, POSTFIX_ACTIONS } from '../../src/adapters/postfix-policy/actions.js';
import { DomainError, ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';

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
      const quoted = [...reply.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
      return { situation, reply: quoted.at(-1) ?? '' };
    });
}

describe('Postfix policy actions match contract.md', () => {
  const rows = smtpTable(readFileSync(CONTRACT, 'utf8'));

  it('finds the table', () => {
    expect(rows.length).toBeGreaterThanOrEqual(ROW_CODES.length);
  });

  for (const row of rows) {
    it(`"${row.situation}" -> action=${row.reply}`, () => {
      const match = ROW_CODES.find(([start]) => row.situation.startsWith(start));
      expect(match, `no ErrorCode is mapped to the contract row "${row.situation}"; add it to ROW_CODES`).toBeDefined();
      for (const code of match![1]) expect(POSTFIX_ACTIONS[code], code).toBe(`action=${row.reply}`);
    });
  }

  it('maps every ErrorCode to an access(5) "NNN text" action Postfix can parse', () => {
    for (const code of ERROR_CODES) {
      const action = POSTFIX_ACTIONS[code];
      // One line: a newline would end the reply early and desynchronise the connection.
      expect(action, code).toMatch(/^action=[45]\d\d [45]\.\d{1,3}\.\d{1,3} [\x20-\x7e]+$/);
      // The enhanced code's class must agree with the reply code's (RFC 3463).
      expect(action[7], code).toBe(action[11]);
    }
  });

  it('turns the Decisions of the guard into actions: accept is DUNNO, the rest by code', () => {
    expect(actionFor({ kind: 'accept' })).toBe(DUNNO);
    expect(DUNNO).toBe('action=DUNNO');
    expect(actionFor({ kind: 'restrict', code: 'SENDER_RESTRICTED', reason: '6 external recipients' })).toBe(
      'action=550 5.1.8 Access denied, bad outbound sender',
    );
    expect(actionFor({ kind: 'defer', code: 'TOO_MANY_RECIPIENTS', reason: 'cap' })).toBe(
      'action=452 4.5.3 Too many recipients',
    );
  });

  it('answers a bug with the temporary 451 4.3.0, logs it, and never shows its text', () => {
    const logged: unknown[] = [];
    const action = actionForError(new Error('SQLITE_CORRUPT at /var/lib/secret'), (e) => logged.push(e));
    expect(action).toBe('action=451 4.3.0 Temporary server error, try again later');
    expect(logged).toHaveLength(1);
    expect(actionForError(new DomainError('STORE_UNAVAILABLE', 'down'), (e) => logged.push(e))).toBe(action);
    expect(logged).toHaveLength(1);
  });
});

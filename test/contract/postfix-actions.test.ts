/**
 * A client submitting through a Postfix that delegates to Sendwarden must see the same lines
 * contract.md's "SMTP answers" table promises for our own gateway: Postfix sends an `NNN text`
 * action as the reply (access(5)). If this fails, a restricted sender gets a different (or no)
 * enhanced code through Postfix, or a code reaches Postfix as something it cannot parse. The
 * contract is the project's `docs/contract.md`.
 */
import { describe, expect, it } from 'vitest';
import { ROW_CODES, contractSmtpTable } from '../support/contract-smtp-table.js';
import { actionFor, actionForError, DUNNO, POSTFIX_ACTIONS } from '../../src/adapters/postfix-policy/actions.js';
import { SMTP_REPLIES } from '../../src/adapters/smtp/replies.js';
import { DomainError, ERROR_CODES } from '../../src/core/errors.js';

describe('Postfix policy actions match contract.md', () => {
  const rows = contractSmtpTable();

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

  it('derives every action from the gateway reply lines (one source), policy-only internals aside', () => {
    for (const code of ERROR_CODES) {
      if (code === 'INVALID_INPUT') continue;
      expect(POSTFIX_ACTIONS[code], code).toBe(`action=${SMTP_REPLIES[code]}`);
    }
    expect(POSTFIX_ACTIONS.INVALID_INPUT).toBe('action=451 4.3.0 Temporary server error, try again later');
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

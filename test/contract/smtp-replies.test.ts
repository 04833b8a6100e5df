/**
 * contract.md's "SMTP answers" table is what mail clients and scripts see; replies.ts is the
 * only code that produces those lines. If this fails, a client would get a reply the contract
 * does not promise (or a new row has no code yet). The contract is the project's
 * `docs/contract.md`.
 */
import { describe, expect, it } from 'vitest';
import { ROW_CODES, contractSmtpTable } from '../support/contract-smtp-table.js';
import { SMTP_REPLIES } from '../../src/adapters/smtp/replies.js';
import { ERROR_CODES } from '../../src/core/errors.js';

describe('SMTP replies match contract.md', () => {
  const rows = contractSmtpTable();

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

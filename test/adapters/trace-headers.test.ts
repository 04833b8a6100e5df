/**
 * The gateway now hands the next hop its trace lines and the client's bytes as two parts instead
 * of one joined copy. If the lines changed, a recipient's mail program would show a different
 * `Received:` trace, a message without Message-ID or Date would arrive without one (or with two),
 * or the client's bytes would no longer follow unchanged.
 *
 * Fakes: none (pure functions; the previous `addTraceHeaders` is kept below as the reference).
 */
import { describe, expect, it } from 'vitest';
import {
  formatTraceHeaders,
  headerValues,
  readHeaderFields,
  rfc5322Date,
  type HeaderField,
  type TraceInfo,
} from '../../src/adapters/smtp/message-headers.js';

/** The previous `addTraceHeaders` of message-headers.ts, unchanged. */
function referenceAddTraceHeaders(raw: Buffer, fields: readonly HeaderField[], trace: TraceInfo): Buffer {
  const date = rfc5322Date(trace.at);
  const lines = [`Received: by ${trace.hostname} (Sendwarden) with ${trace.protocol} id ${trace.id};\r\n\t${date}`];
  if (headerValues(fields, 'Message-ID').length === 0) lines.push(`Message-ID: <${trace.id}@${trace.hostname}>`);
  if (headerValues(fields, 'Date').length === 0) lines.push(`Date: ${date}`);
  return Buffer.concat([Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'), raw]);
}

const MESSAGES = [
  'From: <rob@contoso.com>\r\nSubject: plain\r\n\r\nHello.\r\n',
  'From: <rob@contoso.com>\r\nMessage-ID: <a@b>\r\nDate: Tue, 01 Dec 2026 23:50:00 +0000\r\n\r\nboth\r\n',
  'message-id: <lower@case>\r\nSubject: only an id\r\n\r\nx\r\n',
  'DATE: Tue, 01 Dec 2026 23:50:00 +0000\r\nSubject: only a date\r\n\r\nx\r\n',
  'Subject: folded\r\n Message-ID: <not-a-field@x>\r\n\r\nx\r\n',
  '\r\nno header section at all\r\n',
  '.Subject: starts with a dot\r\n\r\n.\r\n..\r\n',
  'Subject: =?utf-8?q?Factur=C3=A9?=\r\nX-Note: caf\u00e9\r\n\r\nbody without a final line end',
  '',
];

describe('trace header lines before the message', () => {
  for (const protocol of ['ESMTPSA', 'ESMTPA'] as const) {
    it(`gives the previous bytes for every kind of header section (${protocol})`, () => {
      for (const text of MESSAGES) {
        const raw = Buffer.from(text, 'utf8');
        const fields = readHeaderFields(raw);
        const trace: TraceInfo = {
          hostname: 'mail.contoso.com',
          id: '0f8c6a55-3c1d-4e2b-9d0a-1b2c3d4e5f60',
          at: new Date('2026-12-03T13:05:09.123Z'),
          protocol,
        };
        const joined = Buffer.concat([formatTraceHeaders(fields, trace), raw]);
        expect(joined.toString('utf8')).toBe(referenceAddTraceHeaders(raw, fields, trace).toString('utf8'));
      }
    });
  }

  it('writes the lines a recipient sees, exactly', () => {
    const raw = Buffer.from('Subject: hi\r\n\r\nhi\r\n');
    const trace: TraceInfo = {
      hostname: 'gw.test',
      id: 'id-1',
      at: new Date('2026-12-03T13:05:09Z'),
      protocol: 'ESMTPSA',
    };
    expect(formatTraceHeaders(readHeaderFields(raw), trace).toString()).toBe(
      'Received: by gw.test (Sendwarden) with ESMTPSA id id-1;\r\n\tThu, 03 Dec 2026 13:05:09 +0000\r\n' +
        'Message-ID: <id-1@gw.test>\r\nDate: Thu, 03 Dec 2026 13:05:09 +0000\r\n',
    );
  });
});

/**
 * contract.md's "SMTP answers" table, read from the project's own `docs/contract.md`, and which ErrorCodes each row speaks for. Shared by the edges that must give the
 * same lines: the gateway's replies.ts and the Postfix policy service's actions.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../../src/core/errors.js';

const CONTRACT = fileURLToPath(new URL('../../docs/contract.md', import.meta.url));

/** Which codes each row of the table speaks for (matched on the start of the situation text). */
export const ROW_CODES: readonly (readonly [string, readonly ErrorCode[]])[] = [
  ['bad user or password', ['AUTH_FAILED', 'SIGN_IN_BLOCKED']],
  ['account locked out', ['ACCOUNT_LOCKED']],
  ['sender is restricted', ['SENDER_RESTRICTED']],
  ['MAIL FROM not the user', ['SENDER_NOT_ALLOWED']],
  ['too many recipients', ['TOO_MANY_RECIPIENTS']],
  ['messages-per-minute throttle', ['RATE_LIMITED']],
  ['message over the size limit', ['MESSAGE_TOO_LARGE']],
  ['next hop refused or unreachable', ['RELAY_UNAVAILABLE']],
  ['store or counter service unavailable', ['STORE_UNAVAILABLE', 'COUNTERS_UNAVAILABLE']],
  ['bare CR or LF line ending', ['BARE_LINE_ENDING']],
  ['NUL byte in DATA', ['NUL_BYTE']],
  ['content judged spam', ['SPAM_DETECTED']],
  ['Rspamd soft-rejects the message', ['CONTENT_DEFERRED']],
  ['a limit crossed again on a day', ['SENDING_LIMIT_DEFERRED']],
];

/** The rows of the table: situation text and our reply line (the last quoted one of the cell). */
export function contractSmtpTable(): { situation: string; reply: string }[] {
  const markdown = readFileSync(CONTRACT, 'utf8');
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

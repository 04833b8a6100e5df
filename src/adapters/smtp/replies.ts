import { isDomainError, type ErrorCode } from '../../core/errors.js';
import { SMTP_REPLY_LINES, TEMPORARY_SERVER_ERROR } from '../shared/smtp-reply-lines.js';

/**
 * The one place that turns an ErrorCode into an SMTP reply: the shared lines (contract.md's
 * "SMTP answers" table, copied exactly; test/contract/smtp-replies.test.ts checks them).
 */
export const SMTP_REPLIES: Readonly<Record<ErrorCode, string>> = SMTP_REPLY_LINES;

/** Replies that are not refusals. */
export const SMTP_OK = Object.freeze({
  authenticated: '235 2.7.0 Authentication successful',
  queued: (id: string) => `250 2.0.0 Ok: queued as ${id}`,
  temporaryServerError: TEMPORARY_SERVER_ERROR,
  /** RFC 4954 section 4: AUTH on a cleartext connection that policy does not allow. */
  encryptionRequired: '538 5.7.11 Encryption required for requested authentication mechanism',
  // Fair share and forbidden bytes (contract.md, "SMTP answers"); a 421 closes the connection.
  tooManyFromAddress: '421 4.7.0 Too many connections from your address, try again later',
  sessionTimeout: '421 4.4.2 Session time limit reached, closing connection',
  tooManyAuthFailures: '421 4.7.0 Too many failed authentications, closing connection',
  tooManyBadCommands: '421 4.7.0 Too many unknown or bad commands, closing connection',
  nulInCommand: '500 5.5.2 NUL bytes are not accepted',
});

/** The reply for a code. */
export function replyFor(code: ErrorCode): string {
  return SMTP_REPLIES[code];
}

// A next hop's line is passed through only when it is a well-formed permanent reply: a 4xx or
// garbage must not turn into a permanent failure at the client, and no control character
// may split our own reply.
const PERMANENT_REPLY = /^5[0-9]{2}[ -][\x20-\x7e]*$/;

/** The reply for a thrown value; `logUnexpected` is called for anything that is not a DomainError. */
export function replyForError(err: unknown, logUnexpected: (err: unknown) => void): string {
  if (!isDomainError(err)) {
    logUnexpected(err);
    return TEMPORARY_SERVER_ERROR;
  }
  if (err.code === 'RELAY_REJECTED') {
    const line = String(err.details?.['reply'] ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .at(-1);
    if (line !== undefined && PERMANENT_REPLY.test(line))
      return `${line.slice(0, 3)} ${line.slice(4).trim()}`.trimEnd();
  }
  return SMTP_REPLIES[err.code];
}

/** An error smtp-server turns into exactly `reply` (enhanced status codes are part of our text). */
export class SmtpReply extends Error {
  readonly responseCode: number;
  readonly reply: string;

  constructor(reply: string) {
    super(reply.slice(4));
    this.name = 'SmtpReply';
    this.reply = reply;
    this.responseCode = Number(reply.slice(0, 3));
  }
}

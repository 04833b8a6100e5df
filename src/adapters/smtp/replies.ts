import { isDomainError, type ErrorCode } from '../../core/errors.js';

const TEMPORARY_SERVER_ERROR = '451 4.3.0 Temporary server error, try again later';
const INTERNAL_NOT_FOR_SMTP = '451 4.3.0 Temporary server error, try again later';

/**
 * The one place that turns an ErrorCode into an SMTP reply. The lines of contract.md's
 * "SMTP answers" table are copied exactly (test/contract/smtp-replies.test.ts checks them).
 * Codes that cannot arise in an SMTP session still get a reply, so a core change that throws
 * one here never reaches a client as a stack trace: a temporary 451 keeps the message queued
 * at the client.
 */
export const SMTP_REPLIES: Readonly<Record<ErrorCode, string>> = Object.freeze({
  // directory and input
  USER_NOT_FOUND: '535 5.7.8 Authentication credentials invalid',
  USER_EXISTS: INTERNAL_NOT_FOR_SMTP,
  INVALID_EMAIL: '553 5.1.3 Invalid address syntax',
  INVALID_INPUT: '501 5.5.4 Invalid command arguments',
  DOMAIN_NOT_ACCEPTED: '550 5.7.60 Client does not have permissions to send as this sender',
  NOT_FOUND: INTERNAL_NOT_FOR_SMTP,
  // passwords and sign-in
  WEAK_PASSWORD: INTERNAL_NOT_FOR_SMTP,
  PASSWORD_REUSED: INTERNAL_NOT_FOR_SMTP,
  AUTH_FAILED: '535 5.7.8 Authentication credentials invalid',
  SIGN_IN_BLOCKED: '535 5.7.8 Authentication credentials invalid',
  ACCOUNT_LOCKED: '454 4.7.0 Account temporarily locked, try again later',
  // A user who must change a password signs in to the portal first; until then SMTP refuses.
  PASSWORD_CHANGE_REQUIRED: '535 5.7.8 Authentication credentials invalid',
  TOTP_REQUIRED: '535 5.7.8 Authentication credentials invalid',
  TOTP_INVALID: '535 5.7.8 Authentication credentials invalid',
  RESET_CODE_INVALID: INTERNAL_NOT_FOR_SMTP,
  TOO_MANY_ATTEMPTS: '454 4.7.0 Account temporarily locked, try again later',
  // authorisation
  UNAUTHENTICATED: '530 5.7.0 Authentication required',
  FORBIDDEN: '550 5.7.1 Not authorised',
  CSRF_INVALID: INTERNAL_NOT_FOR_SMTP,
  TOKEN_INVALID: '535 5.7.8 Authentication credentials invalid',
  // restrictions
  CONFIRMATION_REQUIRED: INTERNAL_NOT_FOR_SMTP,
  NOT_RESTRICTED: INTERNAL_NOT_FOR_SMTP,
  UNBLOCK_LIMIT_REACHED: INTERNAL_NOT_FOR_SMTP,
  // sending (contract.md, "SMTP answers")
  SENDER_RESTRICTED: '550 5.1.8 Access denied, bad outbound sender',
  SENDER_NOT_ALLOWED: '550 5.7.60 Client does not have permissions to send as this sender',
  TOO_MANY_RECIPIENTS: '452 4.5.3 Too many recipients',
  RATE_LIMITED: '451 4.7.1 Sending rate exceeded, try again later',
  SENDING_LIMIT_DEFERRED: '451 4.7.1 Sending limit reached, try again later',
  MESSAGE_TOO_LARGE: '552 5.3.4 Message size exceeds fixed limit',
  SPAM_DETECTED: '550 5.7.1 Message refused as spam',
  // RELAY_REJECTED normally carries the next hop's own line (see replyForError); this is the fallback.
  RELAY_REJECTED: '554 5.0.0 Next hop refused the message',
  RELAY_UNAVAILABLE: '451 4.4.1 Next hop unavailable, try again later',
  BARE_LINE_ENDING: '550 5.6.11 Bare CR or LF line endings are not accepted',
  // infrastructure
  STORE_UNAVAILABLE: TEMPORARY_SERVER_ERROR,
  COUNTERS_UNAVAILABLE: TEMPORARY_SERVER_ERROR,
  SCHEMA_TOO_NEW: TEMPORARY_SERVER_ERROR,
  SCHEMA_CORRUPT: TEMPORARY_SERVER_ERROR,
  DATA_DIR_NOT_WRITABLE: TEMPORARY_SERVER_ERROR,
  CONFIG_INVALID: TEMPORARY_SERVER_ERROR,
  PAYLOAD_TOO_LARGE: '552 5.3.4 Message size exceeds fixed limit',
  INTERNAL: TEMPORARY_SERVER_ERROR,
});

/** Replies that are not refusals. */
export const SMTP_OK = Object.freeze({
  authenticated: '235 2.7.0 Authentication successful',
  queued: (id: string) => `250 2.0.0 Ok: queued as ${id}`,
  temporaryServerError: TEMPORARY_SERVER_ERROR,
  /** RFC 4954 section 4: AUTH on a cleartext connection that policy does not allow. */
  encryptionRequired: '538 5.7.11 Encryption required for requested authentication mechanism',
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

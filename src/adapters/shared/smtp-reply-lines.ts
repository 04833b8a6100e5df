import type { ErrorCode } from '../../core/errors.js';

/** What a client sees for an outage or a bug: the message stays queued at the client. */
export const TEMPORARY_SERVER_ERROR = '451 4.3.0 Temporary server error, try again later';
const INTERNAL_NOT_FOR_SMTP = '451 4.3.0 Temporary server error, try again later';

/**
 * The one source of the SMTP reply line for each ErrorCode, shared by the two mail edges: our own
 * gateway (smtp/replies.ts) sends it as is, the Postfix policy service (postfix-policy/actions.ts)
 * as `action=<line>`, so the two cannot drift apart. The lines of contract.md's "SMTP answers"
 * table are copied exactly (test/contract/smtp-replies.test.ts and postfix-actions.test.ts check them).
 * Codes that cannot arise in an SMTP session still get a reply, so a core change that throws
 * one here never reaches a client as a stack trace: a temporary 451 keeps the message queued
 * at the client.
 */
export const SMTP_REPLY_LINES: Readonly<Record<ErrorCode, string>> = Object.freeze({
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
  EVIDENCE_UNREADABLE: INTERNAL_NOT_FOR_SMTP,
  UNBLOCK_LIMIT_REACHED: INTERNAL_NOT_FOR_SMTP,
  // sending (contract.md, "SMTP answers")
  SENDER_RESTRICTED: '550 5.1.8 Access denied, bad outbound sender',
  SENDER_NOT_ALLOWED: '550 5.7.60 Client does not have permissions to send as this sender',
  TOO_MANY_RECIPIENTS: '452 4.5.3 Too many recipients',
  RATE_LIMITED: '451 4.7.1 Sending rate exceeded, try again later',
  SENDING_LIMIT_DEFERRED: '451 4.7.1 Sending limit reached, try again later',
  MESSAGE_TOO_LARGE: '552 5.3.4 Message size exceeds fixed limit',
  SPAM_DETECTED: '550 5.7.1 Message refused as spam',
  CONTENT_DEFERRED: '451 4.7.1 Message deferred by the content scanner, try again later',
  // RELAY_REJECTED normally carries the next hop's own line (see replyForError); this is the fallback.
  RELAY_REJECTED: '554 5.0.0 Next hop refused the message',
  RELAY_UNAVAILABLE: '451 4.4.1 Next hop unavailable, try again later',
  BARE_LINE_ENDING: '550 5.6.11 Bare CR or LF line endings are not accepted',
  NUL_BYTE: '550 5.6.0 NUL bytes are not accepted',
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

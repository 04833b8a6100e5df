import { isDomainError, type ErrorCode } from '../../core/errors.js';
import type { Decision } from '../../core/sending/decision.js';

/** Let Postfix's other restrictions decide (access(5)): what an accepted recipient gets. */
export const DUNNO = 'action=DUNNO';

const TEMPORARY_SERVER_ERROR = 'action=451 4.3.0 Temporary server error, try again later';
const INTERNAL_NOT_FOR_POLICY = TEMPORARY_SERVER_ERROR;

/**
 * The one place that turns an ErrorCode into a Postfix policy action. Postfix's access(5)
 * accepts `NNN text` actions, so a refusal carries exactly the reply of contract.md's "SMTP
 * answers" table, and a client sees the same line whether it submits to our gateway or to a
 * Postfix that delegates to us (test/contract/postfix-actions.test.ts checks the texts).
 * Codes that cannot arise in a policy request still get an action: a temporary 451, so a core
 * change never turns into a permanent bounce at Postfix.
 */
export const POSTFIX_ACTIONS: Readonly<Record<ErrorCode, string>> = Object.freeze({
  // directory and input
  USER_NOT_FOUND: 'action=535 5.7.8 Authentication credentials invalid',
  USER_EXISTS: INTERNAL_NOT_FOR_POLICY,
  INVALID_EMAIL: 'action=553 5.1.3 Invalid address syntax',
  INVALID_INPUT: INTERNAL_NOT_FOR_POLICY,
  DOMAIN_NOT_ACCEPTED: 'action=550 5.7.60 Client does not have permissions to send as this sender',
  NOT_FOUND: INTERNAL_NOT_FOR_POLICY,
  // passwords and sign-in: Postfix authenticated the client, only "block sign-in" is applied here
  WEAK_PASSWORD: INTERNAL_NOT_FOR_POLICY,
  PASSWORD_REUSED: INTERNAL_NOT_FOR_POLICY,
  AUTH_FAILED: 'action=535 5.7.8 Authentication credentials invalid',
  SIGN_IN_BLOCKED: 'action=535 5.7.8 Authentication credentials invalid',
  ACCOUNT_LOCKED: 'action=454 4.7.0 Account temporarily locked, try again later',
  PASSWORD_CHANGE_REQUIRED: 'action=535 5.7.8 Authentication credentials invalid',
  TOTP_REQUIRED: 'action=535 5.7.8 Authentication credentials invalid',
  TOTP_INVALID: 'action=535 5.7.8 Authentication credentials invalid',
  RESET_CODE_INVALID: INTERNAL_NOT_FOR_POLICY,
  TOO_MANY_ATTEMPTS: 'action=454 4.7.0 Account temporarily locked, try again later',
  // authorisation
  UNAUTHENTICATED: 'action=530 5.7.0 Authentication required',
  FORBIDDEN: 'action=550 5.7.1 Not authorised',
  CSRF_INVALID: INTERNAL_NOT_FOR_POLICY,
  TOKEN_INVALID: 'action=535 5.7.8 Authentication credentials invalid',
  // restrictions
  CONFIRMATION_REQUIRED: INTERNAL_NOT_FOR_POLICY,
  NOT_RESTRICTED: INTERNAL_NOT_FOR_POLICY,
  UNBLOCK_LIMIT_REACHED: INTERNAL_NOT_FOR_POLICY,
  // sending (contract.md, "SMTP answers")
  SENDER_RESTRICTED: 'action=550 5.1.8 Access denied, bad outbound sender',
  SENDER_NOT_ALLOWED: 'action=550 5.7.60 Client does not have permissions to send as this sender',
  TOO_MANY_RECIPIENTS: 'action=452 4.5.3 Too many recipients',
  RATE_LIMITED: 'action=451 4.7.1 Sending rate exceeded, try again later',
  SENDING_LIMIT_DEFERRED: 'action=451 4.7.1 Sending limit reached, try again later',
  MESSAGE_TOO_LARGE: 'action=552 5.3.4 Message size exceeds fixed limit',
  SPAM_DETECTED: 'action=550 5.7.1 Message refused as spam',
  RELAY_REJECTED: 'action=554 5.0.0 Next hop refused the message',
  RELAY_UNAVAILABLE: 'action=451 4.4.1 Next hop unavailable, try again later',
  BARE_LINE_ENDING: 'action=550 5.6.11 Bare CR or LF line endings are not accepted',
  // infrastructure
  STORE_UNAVAILABLE: TEMPORARY_SERVER_ERROR,
  COUNTERS_UNAVAILABLE: TEMPORARY_SERVER_ERROR,
  SCHEMA_TOO_NEW: TEMPORARY_SERVER_ERROR,
  SCHEMA_CORRUPT: TEMPORARY_SERVER_ERROR,
  DATA_DIR_NOT_WRITABLE: TEMPORARY_SERVER_ERROR,
  CONFIG_INVALID: TEMPORARY_SERVER_ERROR,
  PAYLOAD_TOO_LARGE: 'action=552 5.3.4 Message size exceeds fixed limit',
  INTERNAL: TEMPORARY_SERVER_ERROR,
});

/** The action for a guard's Decision: accept leaves the verdict to Postfix's other restrictions. */
export function actionFor(decision: Decision): string {
  return decision.kind === 'accept' ? DUNNO : POSTFIX_ACTIONS[decision.code];
}

/** The action for a thrown value; `logUnexpected` is called for anything that is not a DomainError. */
export function actionForError(err: unknown, logUnexpected: (err: unknown) => void): string {
  if (isDomainError(err)) return POSTFIX_ACTIONS[err.code];
  logUnexpected(err);
  return TEMPORARY_SERVER_ERROR;
}

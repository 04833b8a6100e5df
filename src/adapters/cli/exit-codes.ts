import type { ErrorCode } from '../../core/errors.js';

/**
 * The one map from error code to exit code (sysexits.h where one fits), so scripts can branch:
 * 65 bad data, 66 not found, 69 service unavailable, 73 cannot create, 75 try again later,
 * 77 permission denied, 78 configuration, 1 anything else.
 */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  USER_NOT_FOUND: 66,
  USER_EXISTS: 65,
  INVALID_EMAIL: 65,
  INVALID_INPUT: 65,
  DOMAIN_NOT_ACCEPTED: 65,
  NOT_FOUND: 66,
  WEAK_PASSWORD: 65,
  PASSWORD_REUSED: 65,
  AUTH_FAILED: 77,
  SIGN_IN_BLOCKED: 77,
  ACCOUNT_LOCKED: 75,
  PASSWORD_CHANGE_REQUIRED: 77,
  TOTP_REQUIRED: 77,
  TOTP_INVALID: 77,
  RESET_CODE_INVALID: 77,
  TOO_MANY_ATTEMPTS: 75,
  UNAUTHENTICATED: 77,
  FORBIDDEN: 77,
  CSRF_INVALID: 77,
  TOKEN_INVALID: 77,
  CONFIRMATION_REQUIRED: 64,
  NOT_RESTRICTED: 65,
  UNBLOCK_LIMIT_REACHED: 65,
  SENDER_RESTRICTED: 65,
  SENDER_NOT_ALLOWED: 65,
  TOO_MANY_RECIPIENTS: 65,
  RATE_LIMITED: 75,
  SENDING_LIMIT_DEFERRED: 75,
  MESSAGE_TOO_LARGE: 65,
  BARE_LINE_ENDING: 65,
  NUL_BYTE: 65,
  SPAM_DETECTED: 65,
  CONTENT_DEFERRED: 75,
  RELAY_REJECTED: 69,
  RELAY_UNAVAILABLE: 69,
  STORE_UNAVAILABLE: 69,
  COUNTERS_UNAVAILABLE: 69,
  SCHEMA_TOO_NEW: 78,
  SCHEMA_CORRUPT: 78,
  DATA_DIR_NOT_WRITABLE: 73,
  CONFIG_INVALID: 78,
  PAYLOAD_TOO_LARGE: 65,
  INTERNAL: 1,
};

/** Usage errors (commander) exit with 64, as sysexits' EX_USAGE. */
export const EXIT_USAGE = 64;

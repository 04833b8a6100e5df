/**
 * The catalogue of stable error codes. Clients, scripts and every edge map
 * (SMTP replies, Postfix actions, HTTP statuses, CLI exit codes) depend on
 * these names: never rename one, only add.
 */
export const ERROR_CODES = [
  // directory and input
  'USER_NOT_FOUND',
  'USER_EXISTS',
  'INVALID_EMAIL',
  'INVALID_INPUT',
  'DOMAIN_NOT_ACCEPTED',
  'NOT_FOUND',
  // passwords and sign-in
  'WEAK_PASSWORD',
  'PASSWORD_REUSED',
  'AUTH_FAILED',
  'SIGN_IN_BLOCKED',
  'ACCOUNT_LOCKED',
  'PASSWORD_CHANGE_REQUIRED',
  'TOTP_REQUIRED',
  'TOTP_INVALID',
  'RESET_CODE_INVALID',
  'TOO_MANY_ATTEMPTS',
  // authorisation
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CSRF_INVALID',
  'TOKEN_INVALID',
  // restrictions
  'CONFIRMATION_REQUIRED',
  'NOT_RESTRICTED',
  'UNBLOCK_LIMIT_REACHED',
  // a kept evidence message was changed or is sealed with another SENDWARDEN_SECRET
  'EVIDENCE_UNREADABLE',
  // sending (the SMTP table of contract.md)
  'SENDER_RESTRICTED',
  'SENDER_NOT_ALLOWED',
  'TOO_MANY_RECIPIENTS',
  'RATE_LIMITED',
  'SENDING_LIMIT_DEFERRED',
  'MESSAGE_TOO_LARGE',
  'SPAM_DETECTED',
  // the external content scanner (Rspamd) soft-rejected the message: 451 4.7.1
  'CONTENT_DEFERRED',
  'RELAY_REJECTED',
  'RELAY_UNAVAILABLE',
  // SMTP smuggling defence: a bare CR or LF in DATA is refused, never relayed
  'BARE_LINE_ENDING',
  'NUL_BYTE',
  // infrastructure
  'STORE_UNAVAILABLE',
  'COUNTERS_UNAVAILABLE',
  'SCHEMA_TOO_NEW',
  'SCHEMA_CORRUPT',
  'DATA_DIR_NOT_WRITABLE',
  'CONFIG_INVALID',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
] as const;

/** A stable, UPPER_SNAKE error code from the catalogue above. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Extra, non-secret facts an edge may show (field names, limits, counts). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * An operation could not go on for a reason the domain understands.
 * `message` is a sentence a person can act on; it never contains a secret.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: ErrorDetails }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `err` is a DomainError, optionally with the given code. */
export function isDomainError(err: unknown, code?: ErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}

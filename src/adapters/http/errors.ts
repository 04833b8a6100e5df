import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, isDomainError, type ErrorCode } from '../../core/errors.js';
import type { ErrorDto } from '../shared/api-schemas.js';

/** The one map from error code to HTTP status. The compiler rejects a code without one. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  USER_NOT_FOUND: 404,
  USER_EXISTS: 409,
  INVALID_EMAIL: 400,
  INVALID_INPUT: 400,
  DOMAIN_NOT_ACCEPTED: 400,
  NOT_FOUND: 404,
  WEAK_PASSWORD: 400,
  PASSWORD_REUSED: 400,
  AUTH_FAILED: 401,
  SIGN_IN_BLOCKED: 403,
  ACCOUNT_LOCKED: 423,
  PASSWORD_CHANGE_REQUIRED: 403,
  TOTP_REQUIRED: 403,
  // 400, not 401: a wrong second factor must not send the portal back to the password step.
  TOTP_INVALID: 400,
  RESET_CODE_INVALID: 400,
  TOO_MANY_ATTEMPTS: 429,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  TOKEN_INVALID: 401,
  CONFIRMATION_REQUIRED: 400,
  NOT_RESTRICTED: 409,
  EVIDENCE_UNREADABLE: 500,
  UNBLOCK_LIMIT_REACHED: 409,
  SENDER_RESTRICTED: 403,
  SENDER_NOT_ALLOWED: 403,
  TOO_MANY_RECIPIENTS: 400,
  RATE_LIMITED: 429,
  SENDING_LIMIT_DEFERRED: 429,
  MESSAGE_TOO_LARGE: 413,
  SPAM_DETECTED: 422,
  CONTENT_DEFERRED: 429,
  BARE_LINE_ENDING: 400,
  NUL_BYTE: 400,
  RELAY_REJECTED: 502,
  RELAY_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  COUNTERS_UNAVAILABLE: 503,
  SCHEMA_TOO_NEW: 503,
  SCHEMA_CORRUPT: 503,
  DATA_DIR_NOT_WRITABLE: 503,
  CONFIG_INVALID: 500,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
};

/** Fastify's own request errors, translated into catalogue codes with a sentence a person can act on. */
function fromFastify(err: FastifyError): DomainError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('PAYLOAD_TOO_LARGE', 'The request body is larger than the 1 MB this API accepts.', {
        details: { limitBytes: 1_048_576 },
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new DomainError('INVALID_INPUT', 'The request body is not valid JSON.', { details: { where: 'body' } });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('INVALID_INPUT', 'The request says it has a JSON body but the body is empty.', {
        details: { where: 'body' },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(
        'INVALID_INPUT',
        'Send the request body as JSON, with the header Content-Type: application/json.',
        { details: { where: 'content-type' } },
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('INVALID_INPUT', 'The Content-Length header does not match the body.', {
        details: { where: 'body' },
      });
    default:
      break;
  }
  if (err.statusCode === 429) return new DomainError('RATE_LIMITED', 'Too many requests. Wait a minute and try again.');
  if (err.statusCode === 413) return new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return new DomainError('INVALID_INPUT', 'The request could not be read.', { details: { where: 'request' } });
  }
  return null;
}

function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && chain.length < 8) {
    chain.push(cur instanceof Error ? { name: cur.name, message: cur.message, stack: cur.stack } : cur);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return chain;
}

/** Status and body for any error; logs what is not a client mistake (with its cause chain), and never leaks a stack trace. */
export function toErrorReply(err: unknown, request: FastifyRequest): { status: number; body: ErrorDto } {
  const domain = isDomainError(err) ? err : fromFastify(err as FastifyError);
  if (domain) {
    const status = HTTP_STATUS[domain.code];
    if (status >= 500)
      request.log.error({ code: domain.code, causes: causeChain(domain) }, 'request failed: %s', domain.message);
    const details = domain.details && Object.keys(domain.details).length > 0 ? { details: { ...domain.details } } : {};
    return { status, body: { error: { code: domain.code, message: domain.message, ...details } } };
  }
  request.log.error({ causes: causeChain(err) }, 'unexpected error');
  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: 'Something went wrong on the server. The error was logged; try again later.',
      },
    },
  };
}

/** The Fastify error handler: every error leaves through the one map above. */
export function replyWithError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toErrorReply(err, request);
  if (status === 429 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '60');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

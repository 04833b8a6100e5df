import { isDomainError, type ErrorCode } from '../../core/errors.js';
import type { Decision } from '../../core/sending/decision.js';
import { SMTP_REPLY_LINES, TEMPORARY_SERVER_ERROR as TEMPORARY_LINE } from '../shared/smtp-reply-lines.js';

/** Let Postfix's other restrictions decide (access(5)): what an accepted recipient gets. */
export const DUNNO = 'action=DUNNO';

const TEMPORARY_SERVER_ERROR = `action=${TEMPORARY_LINE}`;

// Codes whose gateway reply makes no sense as an answer to a policy request: Postfix's own parser
// already checked the syntax, so bad input here is our problem, not the client's (temporary).
const POLICY_OVERRIDES: Partial<Record<ErrorCode, string>> = { INVALID_INPUT: TEMPORARY_SERVER_ERROR };

/**
 * The one place that turns an ErrorCode into a Postfix policy action. Postfix's access(5)
 * accepts `NNN text` actions, so a refusal carries exactly the line our own gateway sends
 * (adapters/shared/smtp-reply-lines.ts, contract.md's "SMTP answers"), and a client sees the same
 * line whether it submits to our gateway or to a Postfix that delegates to us, provided the check
 * sits in `smtpd_sender_restrictions` (Postfix rewrites X.1.8 to X.1.2 in recipient context;
 * README "Behind Postfix and Dovecot"). Codes that cannot arise in a policy request answer a temporary 451, so
 * a core change never turns into a permanent bounce at Postfix.
 */
export const POSTFIX_ACTIONS: Readonly<Record<ErrorCode, string>> = Object.freeze(
  Object.fromEntries(
    (Object.entries(SMTP_REPLY_LINES) as [ErrorCode, string][]).map(([code, line]) => [
      code,
      POLICY_OVERRIDES[code] ?? `action=${line}`,
    ]),
  ) as Record<ErrorCode, string>,
);

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

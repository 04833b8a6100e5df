/**
 * Every action the server records in the audit log, in one list: `recordAudit` and the audit
 * service accept only these, the portal's Action filter offers exactly these, and each has a name
 * in every language (`auditAction.*`). test/core/audit/audit-actions.test.ts checks that every
 * action written in src/ is listed here and that each listed action is written somewhere.
 */
export const AUDIT_ACTIONS = [
  'access.denied',
  'alert.resolved',
  'app-password.created',
  'app-password.revoked',
  'audit.chain-keyed',
  'audit.checkpoints-restarted',
  'audit.verified',
  'evidence.learned',
  'evidence.viewed',
  'organisation.created',
  'organisation.domain-added',
  'outbox.secret-revealed',
  'policy.created',
  'policy.deleted',
  'policy.updated',
  'policy.what-if',
  'restriction.created',
  'restriction.released',
  'restriction.unblocked',
  'session.revoked',
  'session.signed-in',
  'session.signed-out',
  'token.created',
  'token.revoked',
  'user.account-secured',
  'user.created',
  'user.deleted',
  'user.locale-changed',
  'user.locked-out',
  'user.password-changed',
  'user.password-reset',
  'user.password-reset-self-service',
  'user.reset-code-failed',
  'user.reset-code-refused',
  'user.reset-code-sent',
  'user.sign-in-allowed',
  'user.sign-in-blocked',
  'user.totp-enrolled',
  'user.totp-postponed',
  'user.unlocked',
  'user.updated',
  'users.imported',
] as const;

/** One audit action, from AUDIT_ACTIONS: a dotted verb such as "restriction.unblocked". */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

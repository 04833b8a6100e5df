import type { Stores } from '../../ports/stores.js';
import type { AuditAction } from './audit-actions.js';
import type { Actor } from './audit-event.js';

/** Fields that must never reach the audit log, whatever a caller passes. */
const SECRET_FIELDS = new Set([
  'password',
  'passwordHash',
  'passwordHistory',
  'temporaryPassword',
  'secret',
  'hash',
  'totpSecret',
  'code',
  'token',
]);

function scrub(value: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_FIELDS.has(k)));
}

/** Appends one audit event inside the caller's unit of work, scrubbing secret fields. */
export async function recordAudit(
  stores: Pick<Stores, 'audit'>,
  at: Date,
  actor: Actor,
  action: AuditAction,
  target: string,
  before?: Readonly<Record<string, unknown>>,
  after?: Readonly<Record<string, unknown>>,
): Promise<void> {
  await stores.audit.append({ at, actor, action, target, before: scrub(before), after: scrub(after) });
}

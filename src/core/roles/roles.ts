import { DomainError } from '../errors.js';

/** Admin roles, after Microsoft 365's. A user with no role is an ordinary mail user. */
export const ROLES = ['global-admin', 'security-admin', 'user-admin', 'helpdesk', 'security-reader'] as const;
/** One admin role, from ROLES. */
export type Role = (typeof ROLES)[number];

/** Everything an admin, token or the CLI can do. Deny by default: only what the table grants. */
export const ACTIONS = [
  'users.read',
  'users.create',
  'users.update',
  'users.delete',
  'users.reset-password',
  'users.sign-in-status',
  'users.unlock',
  'users.secure-account',
  'users.assign-roles',
  'restricted.read',
  'restricted.unblock',
  'policy.read',
  'policy.write',
  'alerts.read',
  'alerts.resolve',
  'audit.read',
  'messages.read',
  'outbox.read',
  'outbox.read-secrets',
  'tokens.create',
  'tokens.revoke',
  'sessions.revoke',
] as const;
/** One permission of the role table, from ACTIONS. */
export type Action = (typeof ACTIONS)[number];

/** How far a grant reaches: every user, or only users who hold no admin role. */
export type Reach = 'all' | 'non-admins';

type Grants = Partial<Record<Action, Reach>>;

const READ_ONLY_SECURITY: Grants = {
  'users.read': 'all',
  'restricted.read': 'all',
  'policy.read': 'all',
  'alerts.read': 'all',
  'audit.read': 'all',
  'messages.read': 'all',
};

/**
 * The one role x action table. An action missing for a role is denied.
 * - global admin: everything (the only role that sees captured reset-code mail: "outbox.read-secrets").
 * - security admin: restricted users, policies, alerts, audit (and reading users and messages).
 * - user admin: users and passwords of non-admins.
 * - helpdesk: reset passwords and unlock non-admins only.
 * - security reader: read-only.
 */
export const ROLE_GRANTS: Readonly<Record<Role, Grants>> = {
  'global-admin': Object.fromEntries(ACTIONS.map((a) => [a, 'all'])) as Grants,
  'security-admin': {
    ...READ_ONLY_SECURITY,
    'restricted.unblock': 'all',
    'policy.write': 'all',
    'alerts.resolve': 'all',
    'outbox.read': 'all',
  },
  'user-admin': {
    'users.read': 'all',
    'users.create': 'non-admins',
    'users.update': 'non-admins',
    'users.delete': 'non-admins',
    'users.reset-password': 'non-admins',
    'users.sign-in-status': 'non-admins',
    'users.unlock': 'non-admins',
    'users.secure-account': 'non-admins',
  },
  helpdesk: {
    'users.read': 'all',
    'users.reset-password': 'non-admins',
    'users.unlock': 'non-admins',
  },
  'security-reader': READ_ONLY_SECURITY,
};

/** The actor's roles and, when the action targets a user, that user's roles. */
export interface AccessRequest {
  readonly actorRoles: readonly Role[];
  readonly action: Action;
  /** Roles of the user acted on; undefined when the action targets no user. */
  readonly targetRoles?: readonly Role[] | undefined;
}

/** True when one of the actor's roles grants the action on this target. */
export function can(req: AccessRequest): boolean {
  const targetIsAdmin = (req.targetRoles ?? []).length > 0;
  return req.actorRoles.some((role) => {
    const reach = ROLE_GRANTS[role]?.[req.action];
    if (reach === undefined) return false;
    return reach === 'all' || !targetIsAdmin;
  });
}

/** Throws FORBIDDEN, naming the missing permission, unless `can(req)`. */
export function authorize(req: AccessRequest): void {
  if (can(req)) return;
  const onAdmin = (req.targetRoles ?? []).length > 0 && req.actorRoles.some((r) => ROLE_GRANTS[r]?.[req.action]);
  throw new DomainError(
    'FORBIDDEN',
    onAdmin
      ? `Your role may not do "${req.action}" on a user who holds an admin role.`
      : `Your role lacks the permission "${req.action}".`,
    { details: { permission: req.action } },
  );
}

/** True when `value` names a role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../../src/core/errors.js';
import { ACTIONS, ROLES, authorize, can, type Action, type Role } from '../../../src/core/roles/roles.js';

// The expected table, written out independently of ROLE_GRANTS: 'all', 'non-admins' or absent (denied).
const EXPECTED: Record<Role, Partial<Record<Action, 'all' | 'non-admins'>>> = {
  'global-admin': Object.fromEntries(ACTIONS.map((a) => [a, 'all'])),
  'security-admin': {
    'users.read': 'all',
    'restricted.read': 'all',
    'restricted.unblock': 'all',
    'policy.read': 'all',
    'policy.write': 'all',
    'alerts.read': 'all',
    'alerts.resolve': 'all',
    'audit.read': 'all',
    'messages.read': 'all',
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
  helpdesk: { 'users.read': 'all', 'users.reset-password': 'non-admins', 'users.unlock': 'non-admins' },
  'security-reader': {
    'users.read': 'all',
    'restricted.read': 'all',
    'policy.read': 'all',
    'alerts.read': 'all',
    'audit.read': 'all',
    'messages.read': 'all',
  },
};

describe('role x action table (every role, every action, admin and non-admin targets)', () => {
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      const expected = EXPECTED[role][action];
      it(`${role} ${expected ? `may ${action} on ${expected}` : `may not ${action}`}`, () => {
        expect(can({ actorRoles: [role], action, targetRoles: [] })).toBe(expected !== undefined);
        expect(can({ actorRoles: [role], action, targetRoles: ['helpdesk'] })).toBe(expected === 'all');
      });
    }
  }

  it('a user with no role may do nothing (deny by default)', () => {
    for (const action of ACTIONS) expect(can({ actorRoles: [], action })).toBe(false);
  });

  it('roles add up: helpdesk plus security-reader may unlock and read the audit log, not unblock', () => {
    const actorRoles: Role[] = ['helpdesk', 'security-reader'];
    expect(can({ actorRoles, action: 'users.unlock', targetRoles: [] })).toBe(true);
    expect(can({ actorRoles, action: 'audit.read' })).toBe(true);
    expect(can({ actorRoles, action: 'restricted.unblock' })).toBe(false);
  });

  it('a refusal names the missing permission, and says when the target is an admin', () => {
    try {
      authorize({ actorRoles: ['helpdesk'], action: 'restricted.unblock' });
      expect.unreachable();
    } catch (err) {
      expect(isDomainError(err, 'FORBIDDEN')).toBe(true);
      expect((err as Error).message).toContain('restricted.unblock');
    }
    expect(() =>
      authorize({ actorRoles: ['helpdesk'], action: 'users.reset-password', targetRoles: ['global-admin'] }),
    ).toThrow(/admin role/);
  });
});

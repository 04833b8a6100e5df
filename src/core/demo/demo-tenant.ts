import type { DirectoryService } from '../directory/directory-service.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { Principal } from '../roles/principal.js';
import type { RestrictionService } from '../restrictions/restriction-service.js';
import type { User } from '../directory/user.js';

/** The demo organisation of the seeds: contoso.com with rob, megan, alex, adele, and one restricted sender. */
export const DEMO_DOMAIN = 'contoso.com';

/** The demo tenant's mail users (address, name, aliases, groups, alternate address for self-service reset). */
export const DEMO_USERS = [
  {
    email: 'rob@contoso.com',
    displayName: 'Rob Young',
    aliases: ['robert.young@contoso.com'],
    groups: ['Sales'],
    alternateEmail: 'rob.young@example.net',
  },
  {
    email: 'megan@contoso.com',
    displayName: 'Megan Bowen',
    aliases: [],
    groups: ['Marketing'],
    alternateEmail: 'megan.bowen@example.net',
  },
  { email: 'alex@contoso.com', displayName: 'Alex Wilber', aliases: [], groups: ['Sales'], alternateEmail: null },
  {
    email: 'adele@contoso.com',
    displayName: 'Adele Vance',
    aliases: ['av@contoso.com'],
    groups: ['Finance'],
    alternateEmail: 'adele.vance@example.net',
  },
  {
    email: 'lee@contoso.com',
    displayName: 'Lee Gu',
    aliases: [],
    groups: ['IT'],
    alternateEmail: null,
    roles: ['helpdesk'],
  },
  {
    email: 'diego@contoso.com',
    displayName: 'Diego Siciliani',
    aliases: [],
    groups: ['Finance'],
    alternateEmail: null,
  },
] as const;

/** The user who is already restricted when the demo starts, so the Unblock flow can be tried at once. */
export const DEMO_RESTRICTED = 'diego@contoso.com';

/** Seeds the demo tenant once; does nothing when rob@contoso.com already exists. Returns whether it seeded. */
export async function seedDemoTenant(
  p: Principal,
  directory: DirectoryService,
  restrictions: RestrictionService,
): Promise<boolean> {
  const existing = await directory.listUsers(p, { search: 'rob@contoso.com', limit: 1 });
  if (existing.total > 0) return false;
  const created: User[] = [];
  for (const u of DEMO_USERS) {
    created.push(
      await directory.addUser(p, {
        ...u,
        aliases: [...u.aliases],
        groups: [...u.groups],
        roles: 'roles' in u ? [...u.roles] : [],
      }),
    );
  }
  const diego = created.find((u) => u.email === DEMO_RESTRICTED)!;
  await restrictions.restrictUser({
    userId: diego.id,
    kind: 'until-unblocked',
    actor: SYSTEM_ACTOR,
    evidence: {
      rule: 'external-per-hour',
      summary: '612 external recipients in the last hour; limit 500',
      counts: { 'external-per-hour': 612, 'internal-per-hour': 3, 'per-day': 640 },
      limit: 500,
    },
  });
  return true;
}

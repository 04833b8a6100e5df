import type { Random } from '../../ports/random.js';
import type { Stores } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import type { Principal } from '../roles/principal.js';
import { domainOf } from './address.js';

/**
 * The organisation of a new user's address, inside the caller's unit of work: the one that accepts
 * its domain; else the domain joins the first organisation's accepted domains; else (first user of
 * all) an organisation named after the domain is created. Each change is audited as `actor`.
 */
export async function orgForAddress(
  s: Stores,
  actor: Principal['actor'],
  random: Random,
  email: string,
  now: Date,
): Promise<string> {
  const domain = domainOf(email);
  const org = await s.orgs.findByDomain(domain);
  if (org) return org.id;
  const [first] = await s.orgs.list();
  if (!first) {
    const created = { id: random.uuid(), name: domain, domains: [domain], createdAt: now };
    await s.orgs.insert(created);
    await recordAudit(s, now, actor, 'organisation.created', `organisation:${created.name}`, undefined, {
      domains: created.domains,
    });
    return created.id;
  }
  await s.orgs.update({ ...first, domains: [...first.domains, domain] });
  await recordAudit(
    s,
    now,
    actor,
    'organisation.domain-added',
    `organisation:${first.name}`,
    { domains: first.domains },
    { domains: [...first.domains, domain] },
  );
  return first.id;
}

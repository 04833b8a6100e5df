import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import { domainOf, normalizeAddress } from './address.js';

/**
 * The organisation's accepted domains: mail to them counts as internal. Changing them changes how
 * the sending limits count, so it needs the policy.write permission.
 */
export class AcceptedDomains {
  readonly #uow: UnitOfWork;
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(uow: UnitOfWork, clock: Clock, random: Random) {
    this.#uow = uow;
    this.#clock = clock;
    this.#random = random;
  }

  /** Adds a domain to the (first) organisation, creating it if there is none; returns its domains. */
  async add(p: Principal, input: string): Promise<readonly string[]> {
    authorize({ actorRoles: p.roles, action: 'policy.write' });
    const domain = domainOf(normalizeAddress(`postmaster@${input.trim()}`, 'domain'));
    const now = this.#clock.now();
    return this.#uow.run(async (s) => {
      const existing = await s.orgs.findByDomain(domain);
      if (existing) return existing.domains;
      const [org] = await s.orgs.list();
      if (!org) {
        await s.orgs.insert({ id: this.#random.uuid(), name: domain, domains: [domain], createdAt: now });
        await recordAudit(s, now, p.actor, 'organisation.created', `organisation:${domain}`, undefined, {
          domains: [domain],
        });
        return [domain];
      }
      const domains = [...org.domains, domain];
      await s.orgs.update({ ...org, domains });
      await recordAudit(
        s,
        now,
        p.actor,
        'organisation.domain-added',
        `organisation:${org.name}`,
        { domains: org.domains },
        { domains },
      );
      return domains;
    });
  }

  /** policy.read: every organisation with its domains. */
  async list(p: Principal): Promise<readonly { name: string; domains: readonly string[] }[]> {
    authorize({ actorRoles: p.roles, action: 'policy.read' });
    return (await this.#uow.run((s) => s.orgs.list())).map((o) => ({ name: o.name, domains: o.domains }));
  }
}

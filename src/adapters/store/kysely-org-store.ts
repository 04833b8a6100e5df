import type { Organisation } from '../../core/directory/user.js';
import type { OrgStore } from '../../ports/stores.js';
import { toDate, toMillis } from './codec.js';
import type { Db } from './schema.js';
import { inTransaction, stateChanged, type StoreContext } from './store-context.js';

async function loadOrgs(
  db: Db,
  rows: readonly { id: string; name: string; created_at: number | string }[],
): Promise<Organisation[]> {
  if (rows.length === 0) return [];
  const domains = await db
    .selectFrom('org_domains')
    .select(['org_id', 'domain'])
    .where(
      'org_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    domains: domains.filter((d) => d.org_id === r.id).map((d) => d.domain),
    createdAt: toDate(r.created_at),
  }));
}

async function writeDomains(ctx: StoreContext, db: Db, org: Organisation): Promise<void> {
  await db.deleteFrom('org_domains').where('org_id', '=', org.id).execute();
  const unique = [...new Set(org.domains.map((d) => d.toLowerCase()))];
  if (unique.length > 0) {
    await db
      .insertInto('org_domains')
      .values(unique.map((domain, position) => ({ domain, org_id: org.id, position })))
      .execute();
  }
  stateChanged(ctx);
}

/** OrgStore over Kysely; accepted domains sit in their own table so findByDomain is an index lookup. */
export class KyselyOrgStore implements OrgStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(org: Organisation): Promise<void> {
    await inTransaction(this.#ctx, async (db) => {
      await db
        .insertInto('organisations')
        .values({ id: org.id, name: org.name, created_at: toMillis(org.createdAt) })
        .execute();
      await writeDomains(this.#ctx, db, org);
    });
    this.#committed();
  }

  async update(org: Organisation): Promise<void> {
    await inTransaction(this.#ctx, async (db) => {
      await db.updateTable('organisations').set({ name: org.name }).where('id', '=', org.id).execute();
      await writeDomains(this.#ctx, db, org);
    });
    this.#committed();
  }

  /** Outside a unit of work the domains committed just now: a read cached meanwhile saw the old ones. */
  #committed(): void {
    if (!this.#ctx.inTransaction) this.#ctx.changes.generation += 1;
  }

  async findById(id: string): Promise<Organisation | undefined> {
    const rows = await this.#ctx.db.selectFrom('organisations').selectAll().where('id', '=', id).execute();
    return (await loadOrgs(this.#ctx.db, rows))[0];
  }

  async findByDomain(domain: string): Promise<Organisation | undefined> {
    const rows = await this.#ctx.db
      .selectFrom('org_domains as d')
      .innerJoin('organisations as o', 'o.id', 'd.org_id')
      .selectAll('o')
      .where('d.domain', '=', domain.trim().toLowerCase())
      .execute();
    return (await loadOrgs(this.#ctx.db, rows))[0];
  }

  async list(): Promise<readonly Organisation[]> {
    const rows = await this.#ctx.db.selectFrom('organisations').selectAll().orderBy('name').orderBy('id').execute();
    return loadOrgs(this.#ctx.db, rows);
  }
}

import { DomainError } from '../../core/errors.js';
import { isUniqueViolation } from './store-errors.js';
import type { Selectable } from 'kysely';
import type { OutboundPolicy } from '../../core/policy/outbound-policy.js';
import type { PolicyStore } from '../../ports/stores.js';
import { fromFlag, parseJson, toDate, toFlag, toMillis } from './codec.js';
import type { PoliciesTable } from './schema.js';
import { stateChanged, type StoreContext } from './store-context.js';

type PolicyBody = Omit<OutboundPolicy, 'id' | 'name' | 'isDefault' | 'priority' | 'updatedAt'>;

function policyToRow(p: OutboundPolicy): Selectable<PoliciesTable> & { priority: number; updated_at: number } {
  const { id, name, isDefault, priority, updatedAt, ...body } = p;
  return {
    id,
    name,
    is_default: toFlag(isDefault),
    priority,
    body: JSON.stringify(body satisfies PolicyBody),
    updated_at: toMillis(updatedAt),
  };
}

/** A row as the domain value (also used by kysely-sending-state-store.ts). */
export function policyFromRow(r: Selectable<PoliciesTable>): OutboundPolicy {
  return {
    ...parseJson<PolicyBody>(r.body),
    id: r.id,
    name: r.name,
    isDefault: fromFlag(r.is_default),
    priority: Number(r.priority),
    updatedAt: toDate(r.updated_at),
  };
}

/** PolicyStore over Kysely: the policy is one JSON body plus the columns it is looked up and ordered by. */
export class KyselyPolicyStore implements PolicyStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async getDefault(): Promise<OutboundPolicy | undefined> {
    const row = await this.#ctx.db
      .selectFrom('policies')
      .selectAll()
      .where('is_default', '=', 1)
      .orderBy('id')
      .executeTakeFirst();
    return row === undefined ? undefined : policyFromRow(row);
  }

  async list(): Promise<readonly OutboundPolicy[]> {
    const rows = await this.#ctx.db
      .selectFrom('policies')
      .selectAll()
      .orderBy('is_default')
      .orderBy('priority')
      .orderBy('id')
      .execute();
    return rows.map(policyFromRow);
  }

  async save(policy: OutboundPolicy): Promise<void> {
    const row = policyToRow(policy);
    const { id: _id, ...rest } = row;
    try {
      await this.#ctx.db
        .insertInto('policies')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(rest))
        .execute();
      stateChanged(this.#ctx);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'INVALID_INPUT',
          `Another outbound policy already has the name "${policy.name}" or the priority ${policy.priority}.`,
          {
            cause: err,
            details: { field: 'name' },
          },
        );
      }
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await this.#ctx.db.deleteFrom('policies').where('id', '=', id).execute();
    stateChanged(this.#ctx);
  }
}

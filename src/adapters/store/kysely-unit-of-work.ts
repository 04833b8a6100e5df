import type { Stores, UnitOfWork } from '../../ports/stores.js';
import { kyselyStores } from './kysely-stores.js';
import type { StoreContext } from './store-context.js';
import { toStoreError } from './store-errors.js';

/**
 * UnitOfWork over a Kysely transaction: commit when `work` resolves, roll back when it throws.
 * Errors thrown by `work` come out unchanged; a failing BEGIN or COMMIT becomes STORE_UNAVAILABLE.
 */
export class KyselyUnitOfWork implements UnitOfWork {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async run<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
    let failedInWork = false;
    try {
      return await this.#ctx.db.transaction().execute(async (trx) => {
        try {
          return await work(kyselyStores({ ...this.#ctx, db: trx, inTransaction: true }));
        } catch (err) {
          failedInWork = true;
          throw err;
        }
      });
    } catch (err) {
      if (failedInWork) throw err;
      throw toStoreError(err, this.#ctx.where);
    }
  }
}

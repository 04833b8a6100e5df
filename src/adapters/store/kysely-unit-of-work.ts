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
    let workError: unknown;
    const txAudit = { touched: false };
    const txState = { touched: false, directory: false };
    try {
      const result = await this.#ctx.db.transaction().execute(async (trx) => {
        try {
          return await work(kyselyStores({ ...this.#ctx, db: trx, inTransaction: true, txAudit, txState }));
        } catch (err) {
          failedInWork = true;
          workError = err;
          throw err;
        }
      });
      // Only now is the entry durable: a checkpoint taken before COMMIT could name an entry that rolls back.
      if (txAudit.touched) this.#ctx.auditCommitted.listener?.();
      // A cached read that ran while this transaction was open saw the state before it: drop it.
      if (txState.touched) this.#ctx.changes.generation += 1;
      if (txState.directory) this.#ctx.changes.directory += 1;
      return result;
    } catch (err) {
      if (txState.touched) this.#ctx.changes.generation += 1;
      if (txState.directory) this.#ctx.changes.directory += 1;
      // When the ROLLBACK after a failed `work` fails too (the database stopped answering), Kysely
      // throws the raw driver error instead; the work's own error is the one to report (nothing
      // was committed either way), and a raw error here became an HTTP 500 instead of 503.
      if (failedInWork) throw workError;
      throw toStoreError(err, this.#ctx.where);
    }
  }
}

import type { Stores, UnitOfWork } from '../../ports/stores.js';
import { kyselyStores } from './kysely-stores.js';
import { noteRestricted, type StoreContext } from './store-context.js';
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
    const txState = { touched: false, directory: false, users: [] as string[] };
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
      this.#afterTransaction(txState);
      return result;
    } catch (err) {
      this.#afterTransaction(txState);
      // When the ROLLBACK after a failed `work` fails too (the database stopped answering), Kysely
      // throws the raw driver error instead; the work's own error is the one to report (nothing
      // was committed either way), and a raw error here became an HTTP 500 instead of 503.
      if (failedInWork) throw workError;
      throw toStoreError(err, this.#ctx.where);
    }
  }

  /** A cached read that ran while the transaction was open saw the state before it: drop it again. */
  #afterTransaction(tx: { touched: boolean; directory: boolean; users: readonly string[] }): void {
    const changes = this.#ctx.changes;
    if (tx.touched) changes.generation += 1;
    if (tx.directory) changes.directory += 1;
    for (const userId of tx.users) noteRestricted(changes, userId);
  }
}

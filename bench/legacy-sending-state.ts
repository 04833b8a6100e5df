import type { SendingState, SendingStateStore, UnitOfWork } from '../src/ports/stores.js';

/**
 * The guard's reads as they were before the one-round-trip SendingStateStore (kept only so the bench
 * can price the difference in the same run): the open restriction, then policies and organisation
 * in a unit of work, then the whole restriction history for the last unblock, each in its own
 * transaction.
 */
export function legacySendingState(uow: UnitOfWork): SendingStateStore {
  return {
    async read(userId: string, orgId: string): Promise<SendingState> {
      const open = await uow.run((s) => s.restrictions.findOpenByUser(userId));
      const { policies, orgDomains } = await uow.run(async (s) => {
        const [list, org] = await Promise.all([s.policies.list(), s.orgs.findById(orgId)]);
        return { policies: list, orgDomains: org?.domains ?? [] };
      });
      const history = await uow.run((s) => s.restrictions.listByUser(userId));
      const lastUnblockAt = history.find((r) => r.releaseKind === 'unblock')?.releasedAt ?? null;
      return { open, lastUnblockAt, policies, orgDomains };
    },
    sender: (login) => uow.run((s) => s.users.findByAddress(login.trim().toLowerCase())),
  };
}

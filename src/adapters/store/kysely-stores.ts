import type { Stores } from '../../ports/stores.js';
import { KyselyAlertDeliveryStore } from './kysely-alert-delivery-store.js';
import { KyselyAlertStore } from './kysely-alert-store.js';
import { KyselyAppPasswordStore } from './kysely-app-password-store.js';
import { KyselyAuditLog } from './kysely-audit-log.js';
import { KyselyMessageLog } from './kysely-message-log.js';
import { KyselyOrgStore } from './kysely-org-store.js';
import { KyselyPolicyStore } from './kysely-policy-store.js';
import { KyselyResetCodeStore } from './kysely-reset-code-store.js';
import { KyselyRestrictionStore } from './kysely-restriction-store.js';
import { KyselySendingStateStore } from './kysely-sending-state-store.js';
import { KyselySessionStore } from './kysely-session-store.js';
import { KyselyTokenStore } from './kysely-token-store.js';
import { KyselyUserStore } from './kysely-user-store.js';
import type { StoreContext } from './store-context.js';
import { guardStore } from './store-errors.js';

/** Every store bound to the context's connection or transaction, with driver errors surfacing as STORE_UNAVAILABLE. */
export function kyselyStores(ctx: StoreContext): Stores {
  const g = <T extends object>(store: T): T => guardStore(store, ctx.where);
  return Object.freeze({
    users: g(new KyselyUserStore(ctx)),
    orgs: g(new KyselyOrgStore(ctx)),
    appPasswords: g(new KyselyAppPasswordStore(ctx)),
    restrictions: g(new KyselyRestrictionStore(ctx)),
    audit: g(new KyselyAuditLog(ctx)),
    policies: g(new KyselyPolicyStore(ctx)),
    tokens: g(new KyselyTokenStore(ctx)),
    sessions: g(new KyselySessionStore(ctx)),
    resetCodes: g(new KyselyResetCodeStore(ctx)),
    alerts: g(new KyselyAlertStore(ctx)),
    alertDeliveries: g(new KyselyAlertDeliveryStore(ctx)),
    messages: g(new KyselyMessageLog(ctx)),
    sendingState: g(new KyselySendingStateStore(ctx)),
  });
}

import type { FastifyBaseLogger } from 'fastify';
import type { AlertService } from '../../core/alerts/alert-service.js';
import type { AuditService } from '../../core/audit/audit-service.js';
import type { SignInService } from '../../core/auth/sign-in.js';
import type { HomeOverviewService } from '../../core/messages/home-overview.js';
import type { MessageReader } from '../../core/messages/message-reader.js';
import type { EvidenceService } from '../../core/evidence/evidence-service.js';
import type { SelfServiceReset } from '../../core/auth/self-service-reset.js';
import type { SessionService } from '../../core/auth/session-service.js';
import type { TokenService } from '../../core/auth/token-service.js';
import type { AppPasswords } from '../../core/directory/app-passwords.js';
import type { DirectoryService } from '../../core/directory/directory-service.js';
import type { SecureAccount } from '../../core/directory/secure-account.js';
import type { PolicyAdmin } from '../../core/policy/policy-admin.js';
import type { RestrictionService } from '../../core/restrictions/restriction-service.js';
import type { PolicyWhatIf } from '../../core/what-if/policy-what-if.js';
import type { Clock } from '../../ports/clock.js';
import type { HttpMetrics } from './metrics.js';

/** DirectoryService as the API uses it. */
export type DirectoryApi = Pick<
  DirectoryService,
  | 'getUser'
  | 'listUsers'
  | 'addUser'
  | 'updateUser'
  | 'deleteUser'
  | 'resetPassword'
  | 'setSignInStatus'
  | 'unlock'
  | 'changeOwnPassword'
  | 'updateOwnLocale'
>;
export type RestrictionsApi = Pick<
  RestrictionService,
  'activeRestriction' | 'listRestricted' | 'getRestricted' | 'unblock'
>;
export type AlertsApi = Pick<AlertService, 'list' | 'resolve'>;
export type AuditApi = Pick<AuditService, 'list' | 'recordDenied' | 'all' | 'latestCheckpoint' | 'verifyAs'>;
export type PolicyAdminApi = Pick<
  PolicyAdmin,
  'get' | 'update' | 'list' | 'createCustom' | 'updateCustom' | 'deleteCustom'
>;
/** The signed-in user's own app passwords. */
export type AppPasswordsApi = Pick<AppPasswords, 'list' | 'create' | 'revoke'>;
export type SecureAccountApi = Pick<SecureAccount, 'run'>;

/** The message log and the capture outbox, read under the core's permissions. */
export type MessageReaderApi = Pick<
  MessageReader,
  'listForUser' | 'recentEvidence' | 'hourlyCounts' | 'topSenders' | 'listOutbox' | 'readOutbox'
>;

/** Messages kept as evidence, and Unblock with the optional verdict that teaches Rspamd. */
export type EvidenceApi = Pick<EvidenceService, 'list' | 'open' | 'unblock'>;

/** Health probes: each resolves when its backend answers, rejects otherwise. */
export interface HealthProbes {
  store(): Promise<void>;
  counters(): Promise<void>;
  /**
   * The external content scanner (Rspamd), when one is configured: resolves when it answers.
   * Its absence degrades the node (the built-in scorer decides alone) but does not fail it.
   */
  contentScanner?: (() => Promise<void>) | undefined;
}

/** Dovecot's auth policy server: the shared secret (unset: the endpoint answers 401) and the sign-in rules. */
export interface DovecotPolicyApi {
  readonly secret: string | undefined;
  readonly signIn: Pick<SignInService, 'checkExternal' | 'reportExternalFailure' | 'reportExternalSuccess'>;
}

/** Everything the HTTP server needs, one by one. */
export interface HttpDeps {
  readonly directory: DirectoryApi;
  readonly secureAccount: SecureAccountApi;
  readonly restrictions: RestrictionsApi;
  readonly alerts: AlertsApi;
  readonly audit: AuditApi;
  readonly policyAdmin: PolicyAdminApi;
  /** What-if replays of proposed policies (issue 17). */
  readonly whatIf: Pick<PolicyWhatIf, 'previewDefault' | 'previewCustom'>;
  readonly appPasswords: AppPasswordsApi;
  readonly sessions: SessionService;
  readonly tokens: TokenService;
  readonly selfService: SelfServiceReset;
  /** Message log and capture outbox (an empty list when a next hop is configured), read side. */
  readonly messageReader: MessageReaderApi;
  /** The Home page numbers, authorised in core. */
  readonly overview: Pick<HomeOverviewService, 'forPrincipal'>;
  /** The evidence vault's reads (audited) and Unblock with learning. */
  readonly evidence: EvidenceApi;
  readonly probes: HealthProbes;
  /** Dovecot's auth policy endpoint (routes/dovecot-policy.ts); absent: it answers 401. */
  readonly dovecotPolicy?: DovecotPolicyApi | undefined;
  readonly metrics: HttpMetrics;
  readonly clock: Clock;
  /** At least 32 random bytes: the CSRF token is HMAC-SHA-256(csrfKey, session id), derived and never stored. */
  readonly csrfKey: Uint8Array;
  /** A pino logger (or false for none). */
  readonly logger?: FastifyBaseLogger | false | undefined;
  /** Built portal files (dist/portal) served at / with SPA fallback to index.html. */
  readonly portalDir?: string | undefined;
  /** Trust X-Forwarded-For / -Proto from a reverse proxy in front (client address, Secure cookie). */
  readonly trustProxy?: boolean | undefined;
  /** Per-IP limits per minute on sign-in, TOTP and reset (defaults 10, 10, 5). */
  readonly rateLimits?:
    | { readonly signInPerMinute?: number; readonly totpPerMinute?: number; readonly resetPerMinute?: number }
    | undefined;
}

import type { Clock } from '../ports/clock.js';
import type { CounterStore } from '../ports/counter-store.js';
import type { EmailComposer } from '../ports/email-composer.js';
import type { Mailer } from '../ports/mailer.js';
import type { PasswordHasher, PasswordStrength, Sha256 } from '../ports/password-hasher.js';
import type { Random } from '../ports/random.js';
import type { ContentLearner, EvidenceVault } from '../ports/evidence-vault.js';
import type { ReplaySource } from '../ports/replay-source.js';
import type { SafeEqual } from '../ports/safe-equal.js';
import type { Outbox } from '../ports/relay.js';
import type { AuditLog, MessageLog, SendingStateStore, UnitOfWork } from '../ports/stores.js';
import type { Totp } from '../ports/totp.js';
import type { AlertChannel } from './alerts/alert-delivery.js';
import type { Alert } from './alerts/alert.js';
import { AlertService, type RaiseAlert } from './alerts/alert-service.js';
import { AuditCheckpointer } from './audit/audit-checkpointer.js';
import { AuditService } from './audit/audit-service.js';
import { chainKeyId } from './audit/chain.js';
import type { SignedCheckpoint } from './audit/checkpoint.js';
import type { CheckpointFile } from '../ports/audit-checkpoints.js';
import { HomeOverviewService } from './messages/home-overview.js';
import { MessageReader } from './messages/message-reader.js';
import { EvidenceService } from './evidence/evidence-service.js';
import { noEvidenceVault } from './evidence/no-evidence-vault.js';
import { SelfServiceReset } from './auth/self-service-reset.js';
import { SessionService } from './auth/session-service.js';
import { SignInService, type SignInChannel } from './auth/sign-in.js';
import { TokenService } from './auth/token-service.js';
import { AcceptedDomains } from './directory/accepted-domains.js';
import { AppPasswords } from './directory/app-passwords.js';
import { DirectoryService } from './directory/directory-service.js';
import { SecureAccount } from './directory/secure-account.js';
import { PolicyAdmin } from './policy/policy-admin.js';
import { policyFor } from './policy/policy-match.js';
import { userCounterPrefix } from './policy/sending-limits.js';
import type { Restriction } from './restrictions/restriction.js';
import { RestrictionService } from './restrictions/restriction-service.js';
import { Submission } from './sending/submission.js';
import { builtInContentScorer } from './policy/content-scorer.js';
import type { AddHeaderMode } from './policy/combined-verdict.js';
import { PolicyWhatIf } from './what-if/policy-what-if.js';
import { noReplaySource } from './what-if/no-replay-source.js';

/** The ports the core's services need, one by one. */
export interface CorePorts {
  readonly uow: UnitOfWork;
  /** The audit log outside any transaction (reads and verification). */
  readonly auditLog: AuditLog;
  /** The submission guard's per-command read in one round trip (store.stores.sendingState). */
  readonly sendingState: SendingStateStore;
  /** The message log's read side, outside any transaction (store.stores.messages). */
  readonly messages: Pick<MessageLog, 'list' | 'hourlyCounts' | 'topSenders'>;
  /** The capture outbox; undefined when a next hop is configured. */
  readonly outbox?: Outbox | undefined;
  readonly counters: CounterStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly hasher: PasswordHasher;
  readonly strength: PasswordStrength;
  readonly sha256: Sha256;
  /**
   * A keyed hash (HMAC-SHA-256 with a server key) for short secrets such as 8-digit reset codes,
   * which plain SHA-256 would not protect if the database leaked. Defaults to sha256.
   */
  readonly keyedHash?: Sha256 | undefined;
  readonly safeEqual: SafeEqual;
  /**
   * The audit chain's HMAC (key derived from SENDWARDEN_SECRET, purpose "audit"); must be the
   * digest the store was opened with. Defaults to sha256 (tests).
   */
  readonly auditMac?: Sha256 | undefined;
  /** HMAC for audit checkpoints (purpose "audit-checkpoint"); defaults to sha256 (tests). */
  readonly checkpointSign?: Sha256 | undefined;
  /** The append-only checkpoint file in the data folder; without it no checkpoint is written or checked. */
  readonly auditCheckpoints?: CheckpointFile | undefined;
  /** Told about every checkpoint written, and about a refused or failed one; must not throw. */
  readonly onCheckpoint?: ((cp: SignedCheckpoint) => void) | undefined;
  readonly onCheckpointProblem?: ((reason: string, cause?: unknown) => void) | undefined;
  readonly totp: Totp;
  readonly mailer: Mailer;
  /** Writes every email in its reader's language and time zone (reset codes, notices). */
  readonly composer: EmailComposer;
  /** The channels every alert is queued for in the outbox (delivered later by AlertDispatcher). */
  readonly alertChannels: readonly AlertChannel[];
  /** Observer: an alert was written (tests). */
  readonly onAlert?: ((alert: Alert) => void) | undefined;
  /** Optional observers (metrics). */
  readonly onSignIn?: ((outcome: 'success' | 'failure' | 'locked', channel: SignInChannel) => void) | undefined;
  readonly onRestricted?: ((r: Restriction) => void) | undefined;
  /** What an external scanner's "add header" / "rewrite subject" counts as (SENDWARDEN_RSPAMD_ADD_HEADER). */
  readonly scannerAddHeader?: AddHeaderMode | undefined;
  /** The encrypted store of messages kept as evidence; without one (some tests) nothing is kept. */
  readonly evidenceVault?: EvidenceVault | undefined;
  /** Rspamd's controller for learning at unblock; undefined when none is configured. */
  readonly learner?: ContentLearner | undefined;
  /** The message log read for what-if replays, and its retention in days (SENDWARDEN_MESSAGE_LOG_DAYS). */
  readonly replay?: { readonly source: ReplaySource; readonly retentionDays: number } | undefined;
}

/** Every core service, wired once: main.ts and the tests use this same wiring. */
export function createCoreServices(p: CorePorts) {
  const { uow, clock, random, hasher, sha256, safeEqual, totp } = p;
  const alerts = new AlertService({ uow, clock, random, channels: p.alertChannels, onRaised: p.onAlert });
  const raiseAlert: RaiseAlert = (input, within) => alerts.raise(input, within);
  const restrictions = new RestrictionService({
    uow,
    clock,
    random,
    raiseAlert,
    resetCounters: (userId) => p.counters.reset(userCounterPrefix(userId)),
    policyFor,
    onRestricted: p.onRestricted,
  });
  const directory = new DirectoryService({ uow, hasher, strength: p.strength, clock, random, sha256 });
  const signIn = new SignInService({ uow, hasher, sha256, clock, raiseAlert, onOutcome: p.onSignIn });
  const secureAccount = new SecureAccount({
    uow,
    hasher,
    clock,
    random,
    unblock: (principal, id, input) => restrictions.unblock(principal, id, input),
    isRestricted: async (userId) => (await restrictions.activeRestriction(userId)) !== undefined,
  });
  const submission = new Submission({
    uow,
    counters: p.counters,
    clock,
    scorer: builtInContentScorer,
    restrict: (input) => restrictions.restrictUser(input),
    activeRestriction: (userId) => restrictions.activeRestriction(userId),
    raiseAlert,
    sendingState: p.sendingState,
    scannerAddHeader: p.scannerAddHeader,
  });
  const auditMac = p.auditMac ?? sha256;
  const checkpointSign = p.checkpointSign ?? sha256;
  const audit = new AuditService({
    log: p.auditLog,
    keys: { mac: auditMac, legacy: sha256, keyId: chainKeyId(auditMac) },
    clock,
    safeEqual,
    checkpointSign,
    checkpoints: p.auditCheckpoints,
  });
  const auditCheckpointer = p.auditCheckpoints
    ? new AuditCheckpointer({
        log: p.auditLog,
        file: p.auditCheckpoints,
        sign: checkpointSign,
        safeEqual,
        clock,
        onWritten: p.onCheckpoint,
        onProblem: p.onCheckpointProblem,
      })
    : undefined;
  const messageReader = new MessageReader({ messages: p.messages, outbox: p.outbox, uow, clock });
  return {
    alerts,
    restrictions,
    directory,
    signIn,
    secureAccount,
    submission,
    acceptedDomains: new AcceptedDomains(uow, clock, random),
    appPasswords: new AppPasswords(uow, clock, random, sha256),
    audit,
    /** Present when a checkpoint file is configured; the composition asks it after commits and every minute. */
    auditCheckpointer,
    messageReader,
    overview: new HomeOverviewService({ clock, restrictions, alerts, messages: messageReader }),
    evidence: new EvidenceService({
      uow,
      clock,
      vault: p.evidenceVault ?? noEvidenceVault,
      learner: p.learner,
      unblock: (principal, id, input) => restrictions.unblock(principal, id, input),
    }),
    policyAdmin: new PolicyAdmin(uow, clock, random),
    whatIf: new PolicyWhatIf({
      uow,
      clock,
      source: p.replay?.source ?? noReplaySource,
      retentionDays: p.replay?.retentionDays ?? 30,
    }),
    tokens: new TokenService({ uow, clock, random, sha256, safeEqual }),
    sessions: new SessionService({ uow, clock, random, sha256, safeEqual, totp, signIn }),
    selfService: new SelfServiceReset({
      uow,
      clock,
      random,
      sha256: p.keyedHash ?? sha256,
      safeEqual,
      mailer: p.mailer,
      composer: p.composer,
      totp,
      directory,
    }),
  };
}

/** The services createCoreServices returns. */
export type CoreServices = ReturnType<typeof createCoreServices>;

/**
 * The core on its store: what every command needs (the CLI stops here). Heavy or optional
 * adapters (Redis, the relay, the mailer) are imported only when the configuration asks for them.
 */
import path from 'node:path';
import type { KyselyStore } from '../adapters/store/kysely-store.js';
import { hasSqliteStore, prepareDataDir, sqliteFile } from '../adapters/system/data-dir.js';
import { deriveKey, keyedHash, safeEqual } from '../adapters/system/server-keys.js';
import { Argon2Hasher } from '../adapters/system/argon2-hasher.js';
import { CredentialCache } from '../adapters/system/credential-cache.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import { NodeRandom } from '../adapters/system/node-random.js';
import { sha256 } from '../adapters/system/sha256.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { ZxcvbnStrength } from '../adapters/system/zxcvbn-strength.js';
import { OtpauthTotp } from '../adapters/totp/otpauth-totp.js';
import type { Config } from '../config.js';
import type { AlertChannel } from '../core/alerts/alert-delivery.js';
import { DomainError } from '../core/errors.js';
import { createCoreServices, type CorePorts, type CoreServices } from '../core/services.js';
import type { CounterStore } from '../ports/counter-store.js';
import type { EmailComposer } from '../ports/email-composer.js';
import type { Mailer } from '../ports/mailer.js';
import { CaptureOutbox } from '../adapters/relay/capture-outbox.js';
import { FileCheckpoints } from '../adapters/system/file-checkpoints.js';
import type { Clock } from '../ports/clock.js';
import type { ContentLearner } from '../ports/evidence-vault.js';
import type { RspamdScorer } from '../adapters/rspamd/rspamd-scorer.js';

/** The core services plus the infrastructure they run on. */
export type CoreApp = CoreInfra & CoreServices;

interface CoreInfra {
  readonly config: Config;
  readonly store: KyselyStore;
  readonly counters: CounterStore;
  readonly clock: Clock;
  readonly random: NodeRandom;
  readonly hasher: PasswordHasher;
  readonly serverSecret: Buffer;
  close(): Promise<void>;
}

/** What the server adds to the core: the mailer for reset codes and the metrics observers. */
export interface CoreOptions {
  /** false (the CLI): refuse to create an empty SQLite store in a folder that has none. */
  readonly createIfMissing?: boolean;
  /**
   * A server node: cache the sending state between commands (on PostgreSQL one more connection
   * LISTENs for other nodes' changes) and verified credentials for SENDWARDEN_AUTH_CACHE_SECONDS.
   * A CLI command does neither.
   */
  readonly serving?: boolean;
  /** Tests move time by hand (the one fake the house style allows); otherwise the system clock. */
  readonly clock?: Clock | undefined;
  readonly mailer?: Mailer;
  /** SQLite on a server node: told when the WAL checkpointer's worker fails (the commits checkpoint again). */
  readonly onCheckpointerFailure?: (reason: string) => void;
  readonly observers?: Pick<
    CorePorts,
    'onSignIn' | 'onRestricted' | 'scannerAddHeader' | 'onCheckpoint' | 'onCheckpointProblem'
  >;
}

/** Alerts are queued for email always, and for the webhook when one is configured. */
export function alertChannels(config: Config): AlertChannel[] {
  return config.webhookUrl && config.webhookSecret ? ['email', 'webhook'] : ['email'];
}

/** The append-only file of signed audit checkpoints in the data folder. */
const AUDIT_CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

async function openConfiguredStore(
  config: Config,
  auditMac: (text: string) => string,
  serving: boolean,
  onCheckpointerFailure: ((reason: string) => void) | undefined,
): Promise<KyselyStore> {
  const { openStore } = await import('../adapters/store/kysely-store.js');
  return openStore(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: sqliteFile(config.dataDir) },
    auditMac,
    { cacheSendingState: serving, checkpointInBackground: serving, onCheckpointerFailure },
  );
}

async function openCounters(config: Config): Promise<CounterStore> {
  if (config.redisUrl) {
    const { connectRedis } = await import('../adapters/counters/connect-redis.js');
    return connectRedis(config.redisUrl, config.redisPrefix);
  }
  const { MemoryCounters } = await import('../adapters/counters/memory-counters.js');
  return new MemoryCounters();
}

/** A mailer that loads the relay only when a notice is sent (the CLI never sends one). */
function lazyMailer(config: Config, clock: Clock): Mailer {
  let mailer: Promise<Mailer> | undefined;
  return {
    async send(notice) {
      mailer ??= import('./relay-wiring.js').then((m) => m.createMailer(config, clock).mailer);
      await (await mailer).send(notice);
    },
  };
}

/** The composer, loaded with its catalogues at the first email (the CLI never writes one). */
export function lazyComposer(config: Config): EmailComposer {
  let composer: Promise<EmailComposer> | undefined;
  const load = () => (composer ??= import('./email-wiring.js').then((m) => m.createEmailComposer(config)));
  return {
    resetCode: async (reader, input) => (await load()).resetCode(reader, input),
    passwordChanged: async (reader, input) => (await load()).passwordChanged(reader, input),
    alert: async (reader, alert) => (await load()).alert(reader, alert),
  };
}

/**
 * Rspamd's controller (SENDWARDEN_RSPAMD_CONTROLLER_URL) for learnham / learnspam at unblock, loaded
 * at its first use (a CLI unblock without a verdict never loads it); undefined when none is set.
 */
function rspamdLearner(config: Config): { learner: ContentLearner; close(): void } | undefined {
  const controllerUrl = config.rspamdControllerUrl;
  if (!controllerUrl) return undefined;
  let scorer: Promise<RspamdScorer> | undefined;
  return {
    learner: {
      async learn(kind, raw) {
        scorer ??= import('../adapters/rspamd/rspamd-scorer.js').then(
          (m) =>
            new m.RspamdScorer({
              url: config.rspamdUrl ?? controllerUrl,
              password: config.rspamdPassword,
              timeoutMs: config.rspamdTimeoutMs,
              maxBytes: config.rspamdMaxBytes,
              controllerUrl,
            }),
        );
        return (await scorer).learn(kind, raw);
      },
    },
    close: () => void scorer?.then((s) => s.close()),
  };
}

/** Opens the store (migrating it) and the counters, and wires the core services on them. */
export async function openCore(config: Config, options: CoreOptions = {}): Promise<CoreApp> {
  if (options.createIfMissing === false && !config.databaseUrl && !hasSqliteStore(config.dataDir)) {
    throw new DomainError(
      'CONFIG_INVALID',
      `There is no Sendwarden data in ${config.dataDir}. Run this command from the folder where the server runs ("npm start" creates ./data), or set SENDWARDEN_DATA_DIR.`,
    );
  }
  const serverSecret = prepareDataDir(config.dataDir, config.secret);
  // The audit chain is keyed with the secret, which never reaches the database (issue 13).
  const auditMac = keyedHash(deriveKey(serverSecret, 'audit'));
  const serving = options.serving === true;
  const store = await openConfiguredStore(config, auditMac, serving, options.onCheckpointerFailure);
  let counters: CounterStore;
  try {
    counters = await openCounters(config);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const clock = options.clock ?? new SystemClock();
  const random = new NodeRandom();
  const argon2 = new Argon2Hasher(deriveKey(serverSecret, 'password-fingerprint'));
  const hasher: PasswordHasher =
    serving && config.authCacheSeconds > 0
      ? new CredentialCache(argon2, deriveKey(serverSecret, 'credential-cache'), {
          ttlMs: config.authCacheSeconds * 1000,
        })
      : argon2;
  const learner = rspamdLearner(config);
  const services = createCoreServices({
    uow: store.uow,
    auditLog: store.stores.audit,
    sendingState: store.stores.sendingState,
    messages: store.stores.messages,
    // Reading captured mail is plain file access; with a next hop nothing is captured.
    outbox: config.relay ? undefined : new CaptureOutbox(config.dataDir, clock),
    counters,
    clock,
    random,
    hasher,
    strength: new ZxcvbnStrength(),
    sha256,
    keyedHash: keyedHash(deriveKey(serverSecret, 'reset-code')),
    safeEqual,
    auditMac,
    checkpointSign: keyedHash(deriveKey(serverSecret, 'audit-checkpoint')),
    auditCheckpoints: new FileCheckpoints(path.join(config.dataDir, AUDIT_CHECKPOINT_FILE)),
    totp: new OtpauthTotp(deriveKey(serverSecret, 'totp')),
    mailer: options.mailer ?? lazyMailer(config, clock),
    composer: lazyComposer(config),
    replay: { source: store.replay, retentionDays: config.messageLogDays },
    evidenceVault: store.evidenceVault(deriveKey(serverSecret, 'evidence')),
    learner: learner?.learner,
    alertChannels: alertChannels(config),
    ...options.observers,
  });
  const checkpointer = services.auditCheckpointer;
  try {
    // Prime before sealing: a file missing beside an already keyed log must stay reported as removed.
    await checkpointer?.prime();
    store.onAuditCommitted(() => checkpointer?.request());
    // A store migrated from plain SHA-256 gets its keyed transition entry (and a checkpoint) now.
    await services.audit.seal();
    await checkpointer?.flush();
  } catch (err) {
    await store.close().catch(() => undefined);
    await counters.close().catch(() => undefined);
    throw err;
  }
  return {
    config,
    store,
    counters,
    clock,
    random,
    hasher,
    serverSecret,
    ...services,
    async close() {
      await checkpointer?.flush();
      learner?.close();
      await counters.close().catch(() => undefined);
      await store.close();
    },
  };
}

/**
 * The composition root: the only file that wires adapters to the core. `sendwarden serve` runs
 * the gateway, API and portal; every other command opens the same store and acts on it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { runCli } from './adapters/cli/cli.js';
import type { CliContext, CliServices } from './adapters/cli/cli-context.js';
import type { DeploymentFacts } from './adapters/cli/mail-stack-config.js';
import { processOutput } from './adapters/cli/output.js';
import { runHijack } from './adapters/cli/demo-hijack-client.js';
import { MemoryCounters } from './adapters/counters/memory-counters.js';
import { RedisCounters } from './adapters/counters/redis-counters.js';
import { RelayMailer } from './adapters/notify/relay-mailer.js';
import { SignedWebhook } from './adapters/notify/signed-webhook.js';
import { CaptureOutbox } from './adapters/relay/capture-outbox.js';
import { SmtpRelay } from './adapters/relay/smtp-relay.js';
import { FileCheckpoints } from './adapters/system/file-checkpoints.js';
import { BatchedMessageWriter } from './adapters/store/batched-message-writer.js';
import { openStore, type KyselyStore } from './adapters/store/kysely-store.js';
import { Argon2Hasher } from './adapters/system/argon2-hasher.js';
import { MemoryEventBus } from './adapters/system/memory-event-bus.js';
import { NodeRandom } from './adapters/system/node-random.js';
import { sha256 } from './adapters/system/sha256.js';
import { SystemClock } from './adapters/system/system-clock.js';
import { ZxcvbnStrength } from './adapters/system/zxcvbn-strength.js';
import { loadConfig, type Config } from './config.js';
import type { Alert } from './core/alerts/alert.js';
import { startSmtpGateway } from './adapters/smtp/smtp-gateway.js';
import { startPolicyServer, type PolicyServer } from './adapters/postfix-policy/policy-server.js';
import { buildHttpServer } from './adapters/http/http-server.js';
import { createHttpMetrics, type HttpMetrics } from './adapters/http/metrics.js';
import { OtpauthTotp } from './adapters/totp/otpauth-totp.js';
import { DEMO_DOMAIN, seedDemoTenant } from './core/demo/demo-tenant.js';
import { createCoreServices, type CoreServices } from './core/services.js';
import { ensureFirstAdmin } from './core/directory/first-run.js';
import { DomainError } from './core/errors.js';
import { cliPrincipal, type Principal } from './core/roles/principal.js';
import type { MessageRecord } from './core/sending/message-record.js';
import type { CounterStore } from './ports/counter-store.js';
import type { Outbox, Relay } from './ports/relay.js';

/** Everything wired on one store: what `serve` runs and what the CLI drives (the core services plus infrastructure). */
export type App = AppInfra & CoreServices;

interface AppInfra {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: KyselyStore;
  readonly counters: CounterStore;
  readonly events: MemoryEventBus;
  readonly clock: SystemClock;
  readonly random: NodeRandom;
  readonly hasher: Argon2Hasher;
  readonly serverSecret: Buffer;
  readonly metrics: HttpMetrics;
  readonly relay: Relay;
  readonly outbox: Outbox | null;
  readonly mailer: RelayMailer;
  readonly webhook: SignedWebhook | null;
  recordMessage(record: MessageRecord): void;
  flushMessages(): Promise<void>;
  close(): Promise<void>;
}

/** The append-only file of signed audit checkpoints in the data folder. */
const AUDIT_CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/** Creates the data folder (or explains why it cannot), and the server secret on first run. */
function prepareDataDir(dataDir: string, configured: string | undefined): Buffer {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    throw new DomainError(
      'DATA_DIR_NOT_WRITABLE',
      `The data folder ${dataDir} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Set SENDWARDEN_DATA_DIR to a writable folder.`,
      { cause: err },
    );
  }
  // Several nodes must share one secret (CSRF tokens, TOTP enrolment and lockout fingerprints are derived from it).
  if (configured !== undefined) return Buffer.from(configured, 'hex');
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

/**
 * Redis at start-up. The counters' own message speaks of deferred mail (right for a running node);
 * an operator starting one needs the service named, its address, and what to check.
 */
async function connectRedis(url: string, keyPrefix: string): Promise<RedisCounters> {
  try {
    return await RedisCounters.connect({ url, keyPrefix });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'COUNTERS_UNAVAILABLE') throw err;
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    const reason = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? 'no answer');
    let where = 'the address in REDIS_URL';
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || '6379'}`;
    } catch {
      // loadConfig already refused a URL that does not parse; keep the generic words.
    }
    throw new DomainError(
      'COUNTERS_UNAVAILABLE',
      `Redis at ${where} does not answer (${reason}). Check that Redis is running and that REDIS_URL points at it.`,
      { cause: err },
    );
  }
}

/** One key per purpose, derived from the server secret, so no key serves two jobs. */
function deriveKey(
  secret: Buffer,
  purpose: 'password-fingerprint' | 'csrf' | 'totp' | 'reset-code' | 'audit' | 'audit-checkpoint',
): Buffer {
  return createHmac('sha256', secret).update(`sendwarden:${purpose}`).digest();
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Wires the core to its adapters on the configured store; nothing listens yet. */
export async function buildApp(
  config: Config,
  logger: Logger,
  options: { createIfMissing?: boolean } = {},
): Promise<App> {
  if (
    options.createIfMissing === false &&
    !config.databaseUrl &&
    !existsSync(path.join(config.dataDir, 'sendwarden.db'))
  ) {
    throw new DomainError(
      'CONFIG_INVALID',
      `There is no Sendwarden data in ${config.dataDir}. Run this command from the folder where the server runs ("npm start" creates ./data), or set SENDWARDEN_DATA_DIR.`,
    );
  }
  const serverSecret = prepareDataDir(config.dataDir, config.secret);
  // The audit chain is keyed with the secret, which never reaches the database (issue 13).
  const auditKey = deriveKey(serverSecret, 'audit');
  const auditMac = (text: string) => createHmac('sha256', auditKey).update(text).digest('hex');
  const checkpointKey = deriveKey(serverSecret, 'audit-checkpoint');
  const store = await openStore(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: path.join(config.dataDir, 'sendwarden.db') },
    auditMac,
  );
  let counters: CounterStore;
  try {
    counters = config.redisUrl ? await connectRedis(config.redisUrl, config.redisPrefix) : new MemoryCounters();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const clock = new SystemClock();
  const random = new NodeRandom();
  const events = new MemoryEventBus();
  const hasher = new Argon2Hasher(deriveKey(serverSecret, 'password-fingerprint'));
  const uow = store.uow;

  const capture = config.relay ? null : new CaptureOutbox(config.dataDir, clock);
  const relay: Relay = capture ?? new SmtpRelay({ url: config.relay! });
  const mailer = new RelayMailer(
    relay,
    `sendwarden@${config.hostname.includes('.') ? config.hostname : 'localhost.localdomain'}`,
  );
  const webhook =
    config.webhookUrl && config.webhookSecret
      ? new SignedWebhook(config.webhookUrl, config.webhookSecret, logger)
      : null;

  const adminAddresses = async (): Promise<string[]> => {
    if (config.alertEmails)
      return config.alertEmails
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
    const admins = await Promise.all(
      ['global-admin', 'security-admin'].map((role) => store.stores.users.list({ role, limit: 50 })),
    );
    return [...new Set(admins.flatMap((p) => p.items.map((u) => u.email)))];
  };
  const notify = (alert: Alert): void => {
    void (async () => {
      try {
        const to = await adminAddresses();
        await mailer.send({
          to,
          subject: `[Sendwarden] ${alert.title}${alert.userEmail ? `: ${alert.userEmail}` : ''}`,
          text: `${alert.summary}\n\nSeverity: ${alert.severity}\nTime: ${alert.createdAt.toISOString()}\n\nReview it in the Sendwarden portal under Alerts.`,
        });
      } catch (err) {
        logger.warn({ err, alert: alert.id }, 'alert email could not be sent');
      }
      await webhook?.deliver({
        type: `alert.${alert.type}`,
        at: alert.createdAt,
        data: {
          id: alert.id,
          severity: alert.severity,
          title: alert.title,
          userEmail: alert.userEmail,
          summary: alert.summary,
          details: alert.details,
        },
      });
    })();
  };

  const metrics = createHttpMetrics();
  const services = createCoreServices({
    uow,
    auditLog: store.stores.audit,
    sendingState: store.stores.sendingState,
    counters,
    clock,
    random,
    events,
    hasher,
    strength: new ZxcvbnStrength(),
    sha256,
    keyedHash: (text) => createHmac('sha256', deriveKey(serverSecret, 'reset-code')).update(text).digest('hex'),
    safeEqual,
    auditMac,
    checkpointSign: (text) => createHmac('sha256', checkpointKey).update(text).digest('hex'),
    auditCheckpoints: new FileCheckpoints(path.join(config.dataDir, AUDIT_CHECKPOINT_FILE)),
    // The log line is a second anchor outside the database, wherever the logs are shipped.
    onCheckpoint: (checkpoint) => logger.info({ auditCheckpoint: checkpoint }, 'audit checkpoint'),
    onCheckpointProblem: (reason, err) => logger.error({ err }, `audit checkpoint refused: ${reason}`),
    totp: new OtpauthTotp(deriveKey(serverSecret, 'totp')),
    mailer,
    notify,
    onSignIn: (outcome, channel) => {
      if (outcome === 'failure') metrics.signInFailures.inc({ channel });
      if (outcome === 'locked') metrics.lockouts.inc();
    },
    onRestricted: (r) => metrics.restrictions.inc({ kind: r.kind }),
  });

  const messageLog = new BatchedMessageWriter(store.stores.messages, logger);
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
    logger,
    store,
    counters,
    events,
    clock,
    random,
    hasher,
    serverSecret,
    metrics,
    ...services,
    relay,
    outbox: capture,
    mailer,
    webhook,
    recordMessage: (record) => messageLog.add(record),
    flushMessages: () => messageLog.flush(),
    async close() {
      await messageLog.close();
      await checkpointer?.flush();
      webhook?.close();
      await relay.close().catch(() => undefined);
      await counters.close().catch(() => undefined);
      await store.close();
    },
  };
}

function makeLogger(config: Config): Logger {
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      redact: {
        paths: ['password', '*.password', 'temporaryPassword', '*.temporaryPassword', 'secret', 'token'],
        remove: true,
      },
    },
    pino.destination(2),
  );
}

/** The CLI's services, on the same store as the running server. */
function cliServices(app: App, principal: Principal): CliServices {
  return {
    directory: app.directory,
    restrictions: app.restrictions,
    policyAdmin: app.policyAdmin,
    audit: app.audit,
    appPasswords: app.appPasswords,
    async createToken(p, input) {
      const { token, secret } = await app.tokens.create(p, input);
      return { id: token.id, token: secret, role: token.role, expiresAt: token.expiresAt };
    },
    async listOutbox() {
      if (!app.outbox)
        throw new DomainError(
          'NOT_FOUND',
          `There is no capture outbox: mail goes to the next hop ${app.config.relay}.`,
        );
      return app.outbox.list();
    },
    async restartCheckpoints(p) {
      if (!app.auditCheckpointer) return { kind: 'refused', reason: 'no checkpoint file is configured' };
      return app.auditCheckpointer.restart(() => app.audit.recordCheckpointsRestarted(p));
    },
    addDomain: (p, d) => app.acceptedDomains.add(p, d),
    listDomains: () => app.acceptedDomains.list(principal),
    async demoHijack(email, options, onStep) {
      const user = await app.directory.getUser(principal, email);
      if (!user.email.endsWith(`@${DEMO_DOMAIN}`)) {
        throw new DomainError(
          'INVALID_INPUT',
          `demo hijack only acts on the demo tenant (${DEMO_DOMAIN}); ${user.email} is not in it.`,
        );
      }
      // The "attacker" knows the password: set one, as a phished password would be.
      const { temporaryPassword } = await app.directory.resetPassword(principal, user.email, {
        mustChangePassword: false,
      });
      return runHijack(
        {
          host: app.config.host,
          port: app.config.smtpPort,
          user: user.email,
          password: temporaryPassword,
          max: options.max,
        },
        onStep,
      );
    },
    close: () => app.close(),
  };
}

/** The listening servers of one node. */
export interface Servers {
  readonly httpUrl: string;
  readonly httpPort: number;
  readonly smtpPort: number;
  readonly smtpsPort: number | undefined;
  /** The Postfix policy service's port, when SENDWARDEN_POLICY_PORT is set. */
  readonly policyPort: number | undefined;
  close(): Promise<void>;
}

/** Starts the SMTP gateway, the HTTP API and portal, and the background sweepers on a built app. */
export async function startServers(app: App): Promise<Servers> {
  const { config, logger, store, clock } = app;
  const metrics = app.metrics;
  const gateway = await startSmtpGateway(
    {
      authenticate: (login, password, address) =>
        app.signIn.verifyPassword({ login, password, address, channel: 'smtp' }),
      guard: app.submission,
      relay: app.relay,
      recordMessage: (record) => {
        metrics.messages.inc({ decision: record.outcome });
        app.recordMessage(record);
      },
      logger,
      clock,
      acceptedDomains: async (user) => (await store.stores.orgs.findById(user.orgId))?.domains ?? [],
    },
    {
      host: config.host,
      port: config.smtpPort,
      smtpsPort: config.smtpsPort,
      dataDir: config.dataDir,
      maxMessageBytes: config.maxMessageBytes,
      socketTimeoutMs: config.smtpSocketTimeoutMs,
      maxClients: config.smtpMaxClients,
      allowPlainAuthOnLoopback: config.allowPlainAuthOnLoopback,
      hostname: config.hostname,
      tls:
        config.tlsKey && config.tlsCert
          ? { key: readFileSync(config.tlsKey), cert: readFileSync(config.tlsCert) }
          : undefined,
    },
  );
  const portalDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'portal');
  const http = await buildHttpServer({
    directory: app.directory,
    secureAccount: app.secureAccount,
    restrictions: app.restrictions,
    alerts: app.alerts,
    audit: app.audit,
    policyAdmin: app.policyAdmin,
    appPasswords: app.appPasswords,
    sessions: app.sessions,
    tokens: app.tokens,
    selfService: app.selfService,
    messages: store.stores.messages,
    outbox: app.outbox ? outboxReader(app.outbox) : undefined,
    probes: {
      store: async () => {
        await store.stores.users.count();
      },
      counters: async () => {
        await app.counters.peek([{ key: 'healthz', windowMs: 1000 }], clock.now());
      },
    },
    metrics,
    clock,
    rateLimits: { signInPerMinute: config.signInPerMinute },
    dovecotPolicy: { secret: config.dovecotPolicySecret, signIn: app.signIn },
    csrfKey: deriveKey(app.serverSecret, 'csrf'),
    logger,
    portalDir: existsSync(portalDir) ? portalDir : undefined,
  });
  await http.listen({ host: config.host, port: config.httpPort });
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.httpPort;
  let policy: PolicyServer | undefined;
  if (config.policyPort !== undefined) {
    try {
      policy = await startPolicyServer(
        {
          findUser: (login) => store.stores.users.findByAddress(login.trim().toLowerCase()),
          guard: app.submission,
          logger,
          clock,
        },
        { host: config.host, port: config.policyPort },
      );
    } catch (err) {
      await gateway.close();
      await http.close();
      throw err;
    }
  }
  const hostForUrl = config.host.includes(':')
    ? `[${config.host}]`
    : config.host === '0.0.0.0'
      ? '127.0.0.1'
      : config.host;

  const sweep = setInterval(() => {
    app.restrictions
      .releaseDue()
      .catch((err: unknown) => logger.warn({ err }, 'releasing due restrictions failed; will retry'));
  }, 30_000);
  sweep.unref();
  const prune = setInterval(() => {
    store.stores.messages
      .prune(new Date(clock.now().getTime() - config.messageLogDays * 86_400_000))
      .catch((err: unknown) => logger.warn({ err }, 'pruning the message log failed'));
  }, 3_600_000);
  prune.unref();
  // At least every minute: catches entries other nodes appended to a shared PostgreSQL.
  const checkpoints = setInterval(() => app.auditCheckpointer?.request(), 60_000);
  checkpoints.unref();
  app.auditCheckpointer?.request();
  await app.restrictions.releaseDue().catch(() => 0);

  return {
    httpUrl: `http://${hostForUrl}:${httpPort}/`,
    httpPort,
    smtpPort: gateway.port,
    smtpsPort: gateway.smtpsPort,
    policyPort: policy?.port,
    async close() {
      clearInterval(sweep);
      clearInterval(prune);
      clearInterval(checkpoints);
      await policy?.close();
      await gateway.close();
      await http.close();
    },
  };
}

function outboxReader(outbox: Outbox) {
  return {
    list: () => outbox.list(),
    async read(id: string) {
      try {
        const { entry, raw } = await outbox.read(id);
        return { ...entry, raw };
      } catch (err) {
        if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
  };
}

/** `sendwarden serve`: first run, optional demo tenant, then the servers until a signal. */
async function serve(config: Config, demo: boolean): Promise<void> {
  const logger = makeLogger(config);
  const app = await buildApp(config, logger);
  const principal: Principal = {
    actor: { kind: 'system', id: 'system', label: 'Sendwarden (first run)' },
    roles: ['global-admin'],
    userId: null,
  };
  const firstAdmin = await ensureFirstAdmin(principal, app.directory, config.admin);
  const seeded = demo ? await seedDemoTenant(principal, app.directory, app.restrictions) : false;
  const servers = await startServers(app);
  const out = (line: string) => process.stdout.write(line + '\n');
  out('');
  out(
    `Sendwarden is running (store: ${app.store.kind === 'sqlite' ? path.join(config.dataDir, 'sendwarden.db') : 'PostgreSQL'}, counters: ${config.redisUrl ? 'Redis' : 'in-process'}).`,
  );
  out(`  Portal and API:  ${servers.httpUrl}`);
  out(
    `  SMTP submission: ${config.host}:${servers.smtpPort} (STARTTLS, AUTH PLAIN/LOGIN)${servers.smtpsPort ? `, ${config.host}:${servers.smtpsPort} (implicit TLS)` : ''}`,
  );
  if (servers.policyPort !== undefined) {
    const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${servers.policyPort}`;
    out(`  Postfix policy:  ${where} (main.cf: check_policy_service inet:${where})`);
  }
  out(
    `  Next hop:        ${config.relay ?? `none: accepted mail is kept in the capture outbox (${path.join(config.dataDir, 'outbox')})`}`,
  );
  if (firstAdmin) {
    out('');
    out(`First run: sign in as ${firstAdmin.email} with this one-time password (shown only now):`);
    out(`  ${firstAdmin.password}`);
    out('You will choose your own password and set up an authenticator app at first sign-in.');
  }
  if (seeded)
    out(
      `\nDemo tenant ${DEMO_DOMAIN} seeded: rob, megan, alex, adele, lee (helpdesk) and diego (restricted). Try: npx sendwarden demo hijack rob@${DEMO_DOMAIN}`,
    );
  out('');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out('Stopping: finishing open SMTP sessions...');
  await servers.close();
  await app.close();
}

/** Entry point for bin/sendwarden.js. Resolves to the exit code. */
/** What `sendwarden integrate` prints the mail stack's configuration from. */
function deploymentFacts(config: Config): DeploymentFacts {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const where = host.includes(':') ? `[${host}]` : host;
  return {
    store: config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: path.join(config.dataDir, 'sendwarden.db') },
    httpUrl: `http://${where}:${config.httpPort}`,
    policyAddress: config.policyPort === undefined ? undefined : `${where}:${config.policyPort}`,
    hasDovecotSecret: config.dovecotPolicySecret !== undefined,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const principal = cliPrincipal(safeUserName());
  const ctx: CliContext = {
    principal,
    output: processOutput,
    async open() {
      const config = loadConfig();
      const app = await buildApp(config, makeLogger({ ...config, logLevel: 'warn' }), { createIfMissing: false });
      return cliServices(app, principal);
    },
    serve: ({ demo }) => serve(loadConfig(), demo),
    deployment: () => deploymentFacts(loadConfig()),
  };
  return runCli(argv, ctx);
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href &&
  fileURLToPath(import.meta.url).endsWith('main.ts')
) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}

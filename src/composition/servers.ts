/** The listening side of one node: SMTP gateway, HTTP API and portal, Postfix policy service, timers. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHttpServer } from '../adapters/http/http-server.js';
import { startPolicyServer, type PolicyServer } from '../adapters/postfix-policy/policy-server.js';
import { startSmtpGateway, type SmtpGateway } from '../adapters/smtp/smtp-gateway.js';
import { deriveKey } from '../adapters/system/server-keys.js';
import type { App } from './server-app.js';

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

/** How often a node looks for due alert deliveries (one indexed query when there are none). */
const ALERT_POLL_MS = 1_000;

function startGateway(app: App): Promise<SmtpGateway> {
  const { config, metrics } = app;
  return startSmtpGateway(
    {
      authenticate: (login, password, address) =>
        app.signIn.verifyPassword({ login, password, address, channel: 'smtp' }),
      guard: app.submission,
      relay: app.relay,
      scanner: app.contentScanner ?? undefined,
      recordMessage: (record) => {
        metrics.messages.inc({ decision: record.outcome });
        app.recordMessage(record);
      },
      keepEvidence: (candidate) => app.evidence.keep(candidate),
      logger: app.logger,
      clock: app.clock,
      // The same cached read as every command's (no second query at AUTH).
      acceptedDomains: async (user) => (await app.store.stores.sendingState.read(user.id, user.orgId)).orgDomains,
    },
    {
      host: config.host,
      port: config.smtpPort,
      smtpsPort: config.smtpsPort,
      dataDir: config.dataDir,
      maxMessageBytes: config.maxMessageBytes,
      socketTimeoutMs: config.smtpSocketTimeoutMs,
      maxClients: config.smtpMaxClients,
      maxClientsPerIp: config.smtpMaxClientsPerIp,
      sessionTimeoutMs: config.smtpSessionTimeoutMs,
      allowPlainAuthOnLoopback: config.allowPlainAuthOnLoopback,
      hostname: config.hostname,
      tls:
        config.tlsKey && config.tlsCert
          ? { key: readFileSync(config.tlsKey), cert: readFileSync(config.tlsCert) }
          : undefined,
    },
  );
}

async function startHttp(app: App) {
  const { config, store, clock } = app;
  const portalDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'portal');
  const http = await buildHttpServer({
    directory: app.directory,
    secureAccount: app.secureAccount,
    restrictions: app.restrictions,
    alerts: app.alerts,
    audit: app.audit,
    policyAdmin: app.policyAdmin,
    whatIf: app.whatIf,
    appPasswords: app.appPasswords,
    sessions: app.sessions,
    tokens: app.tokens,
    selfService: app.selfService,
    messageReader: app.messageReader,
    overview: app.overview,
    evidence: app.evidence,
    probes: {
      store: async () => {
        await store.stores.users.count();
      },
      counters: async () => {
        await app.counters.peek([{ key: 'healthz', windowMs: 1000 }], clock.now());
      },
      contentScanner: app.contentScanner ? () => app.contentScanner!.probe() : undefined,
    },
    metrics: app.metrics,
    clock,
    rateLimits: { signInPerMinute: config.signInPerMinute },
    dovecotPolicy: { secret: config.dovecotPolicySecret, signIn: app.signIn },
    csrfKey: deriveKey(app.serverSecret, 'csrf'),
    logger: app.logger,
    portalDir: existsSync(portalDir) ? portalDir : undefined,
  });
  await http.listen({ host: config.host, port: config.httpPort });
  const address = http.server.address();
  return { http, port: typeof address === 'object' && address ? address.port : config.httpPort };
}

function startPolicy(app: App): Promise<PolicyServer> | undefined {
  if (app.config.policyPort === undefined) return undefined;
  return startPolicyServer(
    {
      findUser: (login) => app.store.stores.sendingState.sender(login),
      guard: app.submission,
      logger: app.logger,
      clock: app.clock,
      observeDecision: (seconds) => app.metrics.policyDecision.observe(seconds),
    },
    { host: app.config.host, port: app.config.policyPort },
  );
}

/**
 * Repeats `work` every `ms` (unref'd), never overlapping itself; a failure is logged and retried
 * next time. The returned stop waits for a round in progress, so the store is not closed under it.
 */
function every(ms: number, what: string, app: App, work: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = work()
      .then(() => undefined)
      .catch((err: unknown) => app.logger.warn({ err }, `${what} failed; will retry`))
      .finally(() => (running = undefined));
  }, ms);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** The background work of a node: due releases, message-log pruning, the alert outbox. */
function startTimers(app: App): () => Promise<void> {
  const { config, store, clock } = app;
  const stops = [
    every(30_000, 'releasing due restrictions', app, () => app.restrictions.releaseDue()),
    every(3_600_000, 'pruning the message log and the kept evidence', app, async () => {
      const before = new Date(clock.now().getTime() - config.messageLogDays * 86_400_000);
      await store.stores.messages.prune(before);
      await app.evidence.prune(before);
    }),
    every(ALERT_POLL_MS, 'delivering alerts', app, () => app.alertDispatcher.deliverDue()),
    // At least every minute: catches entries other nodes appended to a shared PostgreSQL.
    every(60_000, 'writing an audit checkpoint', app, async () => app.auditCheckpointer?.request()),
  ];
  app.auditCheckpointer?.request();
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}

function urlHost(host: string): string {
  if (host.includes(':')) return `[${host}]`;
  return host === '0.0.0.0' ? '127.0.0.1' : host;
}

/** Starts the SMTP gateway, the HTTP API and portal, and the background work on a built app. */
export async function startServers(app: App): Promise<Servers> {
  const gateway = await startGateway(app);
  const { http, port: httpPort } = await startHttp(app);
  let policy: PolicyServer | undefined;
  try {
    policy = await startPolicy(app);
  } catch (err) {
    await gateway.close();
    await http.close();
    throw err;
  }
  const stopTimers = startTimers(app);
  await app.restrictions.releaseDue().catch(() => 0);
  return {
    httpUrl: `http://${urlHost(app.config.host)}:${httpPort}/`,
    httpPort,
    smtpPort: gateway.port,
    smtpsPort: gateway.smtpsPort,
    policyPort: policy?.port,
    async close() {
      await stopTimers();
      await policy?.close();
      await gateway.close();
      await http.close();
    },
  };
}

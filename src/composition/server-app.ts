/** Everything one node runs on: the core plus relay, mailer, webhook, metrics and the message log. */
import type { Logger } from 'pino';
import { alertSender } from '../adapters/notify/alert-sender.js';
import type { RelayMailer } from '../adapters/notify/relay-mailer.js';
import { SignedWebhook } from '../adapters/notify/signed-webhook.js';
import { createHttpMetrics, type HttpMetrics } from '../adapters/http/metrics.js';
import { RspamdScorer } from '../adapters/rspamd/rspamd-scorer.js';
import { watchScanner, type WatchedScanner } from '../adapters/rspamd/watched-scanner.js';
import { BatchedMessageWriter } from '../adapters/store/batched-message-writer.js';
import type { Config } from '../config.js';
import { AlertDispatcher } from '../core/alerts/alert-dispatcher.js';
import type { Principal } from '../core/roles/principal.js';
import type { MessageRecord } from '../core/sending/message-record.js';
import { ScannerWatch } from '../core/sending/scanner-watch.js';
import type { Clock } from '../ports/clock.js';
import type { Outbox, Relay } from '../ports/relay.js';
import { lazyComposer, openCore, type CoreApp } from './core-app.js';
import { createMailer } from './relay-wiring.js';

/** Everything wired on one store: what `serve` runs (the core services plus infrastructure). */
export type App = CoreApp & ServerInfra;

interface ServerInfra {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly relay: Relay;
  readonly outbox: Outbox | null;
  readonly mailer: RelayMailer;
  readonly webhook: SignedWebhook | null;
  /** Rspamd, watched (metrics, one alert while away), when SENDWARDEN_RSPAMD_URL is set. */
  readonly contentScanner: WatchedScanner | null;
  /** Delivers the alert outbox; startServers runs it on a timer. */
  readonly alertDispatcher: AlertDispatcher;
  recordMessage(record: MessageRecord): void;
  flushMessages(): Promise<void>;
  close(): Promise<void>;
}

/** The system acting on its own (resolving the "Rspamd away" alert when it answers again). */
const SYSTEM_PRINCIPAL: Principal = {
  actor: { kind: 'system', id: 'system', label: 'Sendwarden' },
  roles: ['global-admin'],
  userId: null,
};

/** Wires the core to its adapters on the configured store; nothing listens yet. */
export async function buildApp(
  config: Config,
  logger: Logger,
  // `clock` lets tests move time by hand (the one fake the house style allows); serve uses the system clock.
  options: { createIfMissing?: boolean; clock?: Clock } = {},
): Promise<App> {
  const metrics = createHttpMetrics();
  const { SystemClock } = await import('../adapters/system/system-clock.js');
  const clock = options.clock ?? new SystemClock();
  const { relay, outbox, mailer } = createMailer(config, clock);
  const core = await openCore(config, {
    createIfMissing: options.createIfMissing,
    serving: true,
    clock,
    mailer,
    onCheckpointerFailure: (reason) =>
      logger.warn(
        { reason },
        'the SQLite WAL checkpointer stopped; commits checkpoint the WAL themselves again (SQLite default), nothing is lost',
      ),
    observers: {
      onSignIn: (outcome, channel) => {
        if (outcome === 'failure') metrics.signInFailures.inc({ channel });
        if (outcome === 'locked') metrics.lockouts.inc();
      },
      onRestricted: (r) => metrics.restrictions.inc({ kind: r.kind }),
      scannerAddHeader: config.rspamdAddHeader,
      // The log line is a second anchor outside the database, wherever the logs are shipped.
      onCheckpoint: (checkpoint) => logger.info({ auditCheckpoint: checkpoint }, 'audit checkpoint'),
      onCheckpointProblem: (reason, err) => logger.error({ err }, `audit checkpoint refused: ${reason}`),
    },
  });
  const contentScanner = config.rspamdUrl
    ? watchScanner(
        new RspamdScorer({
          url: config.rspamdUrl,
          password: config.rspamdPassword,
          timeoutMs: config.rspamdTimeoutMs,
          settingsId: config.rspamdSettingsId,
          maxBytes: config.rspamdMaxBytes,
          controllerUrl: config.rspamdControllerUrl,
        }),
        new ScannerWatch({
          clock: core.clock,
          raiseAlert: (input) => core.alerts.raise(input),
          resolveAlert: (id) => core.alerts.resolve(SYSTEM_PRINCIPAL, id),
        }),
        metrics,
        logger,
      )
    : null;
  const webhook =
    config.webhookUrl && config.webhookSecret ? new SignedWebhook(config.webhookUrl, config.webhookSecret) : null;
  const alertDispatcher = new AlertDispatcher({
    uow: core.store.uow,
    clock: core.clock,
    send: alertSender({
      mailer,
      webhook,
      users: core.store.stores.users,
      alertEmails: config.alertEmails,
      composer: lazyComposer(config),
    }),
    onFailed: (d) => {
      metrics.alertDeliveriesFailed.inc({ channel: d.channel });
      logger.warn(
        { alert: d.alertId, channel: d.channel, attempts: d.attempts, reason: d.lastError },
        'alert delivery failed for good',
      );
    },
  });
  if (core.store.userSearch === 'scan') {
    logger.warn(
      'user search scans the directory: the PostgreSQL extension pg_trgm could not be created (run "create extension pg_trgm" in this database as its owner or a superuser, then restart)',
    );
  }
  const messageLog = new BatchedMessageWriter(core.store.stores.messages, logger);
  return {
    ...core,
    logger,
    metrics,
    relay,
    outbox,
    mailer,
    webhook,
    contentScanner,
    alertDispatcher,
    recordMessage: (record) => messageLog.add(record),
    flushMessages: () => messageLog.flush(),
    async close() {
      await messageLog.close();
      contentScanner?.close();
      await relay.close().catch(() => undefined);
      await core.close();
    },
  };
}

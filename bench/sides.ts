/**
 * The two servers the harness drives, with the same next hop and the same certificate:
 *
 * - gateway: Sendwarden exactly as `sendwarden serve` wires it (buildApp + startServers from
 *   src/main.ts): SQLite store, in-process counters, STARTTLS, AUTH PLAIN/LOGIN checked with
 *   argon2id, the policy at MAIL FROM / RCPT TO / DATA, message parsing and content scoring,
 *   pino info logging (to a file), the batched message log, then the nodemailer-pooled relay.
 * - baseline: a bare smtp-server that only relays: STARTTLS with the same certificate, no AUTH,
 *   no checks, the DATA stream buffered and handed to the same relay adapter (SmtpRelay, the
 *   same nodemailer pool settings) before answering 250.
 *
 * The ratio gateway/baseline therefore isolates AUTH + policy + parsing + logging.
 */
import { readFileSync } from 'node:fs';
import { legacySendingState } from './legacy-sending-state.js';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { SmtpRelay } from '../src/adapters/relay/smtp-relay.js';
import { RspamdScorer } from '../src/adapters/rspamd/rspamd-scorer.js';
import { loadConfig } from '../src/config.js';
import { builtInContentScorer } from '../src/core/policy/content-scorer.js';
import { Submission } from '../src/core/sending/submission.js';
import type { Principal } from '../src/core/roles/principal.js';
import { buildApp, startServers, type App, type Servers } from '../src/main.js';
import { logDestination } from '../src/adapters/system/logger.js';

export const BENCH_PRINCIPAL: Principal = {
  actor: { kind: 'system', id: 'bench', label: 'npm run bench' },
  roles: ['global-admin'],
  userId: null,
};

/** A server the harness can send to. */
export interface Target {
  readonly name: string;
  readonly port: number;
  /** Credentials for AUTH; undefined: the server offers no AUTH. */
  readonly auth?: { readonly user: string; readonly pass: string };
  close(): Promise<void>;
}

export interface GatewaySide extends Target {
  readonly app: App;
  readonly servers: Servers;
  readonly tls: { readonly key: string; readonly cert: string };
  /** Adds a user who may sign in over SMTP; returns the password. */
  addSender(email: string): Promise<string>;
}

/** Limits high enough that the throughput runs measure the checks, not a refusal (still counted). */
export const THROUGHPUT_LIMITS = {
  externalPerHour: 100_000,
  internalPerHour: 100_000,
  perDay: 1_000_000,
  messagesPerMinute: 10_000,
} as const;

/**
 * The Submission of createCoreServices with the per-command reads made one after the other, as
 * before the one-round-trip read (SubmissionDeps.sendingState) existed: the open restriction,
 * a unit of work for the policies and the organisation, then the restriction history for the
 * last unblock, each in its own transaction. For `npm run bench -- --legacy-reads` only.
 */
function legacyReadsSubmission(app: App): Submission {
  const uow = app.store.uow;
  return new Submission({
    uow,
    counters: app.counters,
    clock: app.clock,
    scorer: builtInContentScorer,
    restrict: (input) => app.restrictions.restrictUser(input),
    activeRestriction: (userId) => app.restrictions.activeRestriction(userId),
    raiseAlert: (input) => app.alerts.raise(input),
    sendingState: legacySendingState(uow),
  });
}

export async function startGateway(
  dataDir: string,
  nextHopUrl: string,
  options: { legacyReads?: boolean; env?: Readonly<Record<string, string>>; name?: string } = {},
): Promise<GatewaySide> {
  // A clean environment: nothing from the caller's shell (REDIS_URL, DATABASE_URL) leaks in.
  const config = loadConfig({
    SENDWARDEN_DATA_DIR: dataDir,
    SENDWARDEN_RELAY: nextHopUrl,
    SENDWARDEN_HOST: '127.0.0.1',
    SENDWARDEN_SMTP_PORT: '0',
    SENDWARDEN_HTTP_PORT: '0',
    SENDWARDEN_HOSTNAME: 'localhost',
    SENDWARDEN_LOG_LEVEL: 'info',
    // Every bench client connects from 127.0.0.1 (the overshoot run opens 50 at once).
    SENDWARDEN_SMTP_MAX_CLIENTS_PER_IP: '1000',
    ...options.env,
  });
  // The destination `sendwarden serve` uses for its JSON log, on a file.
  const log = logDestination(path.join(dataDir, 'gateway.log'));
  const logger = pino({ level: 'info', base: undefined }, log);
  const built = await buildApp(config, logger);
  const app: App = options.legacyReads ? { ...built, submission: legacyReadsSubmission(built) } : built;
  let servers: Servers;
  try {
    await app.policyAdmin.update(BENCH_PRINCIPAL, { limits: THROUGHPUT_LIMITS });
    servers = await startServers(app);
  } catch (err) {
    await app.close();
    throw err;
  }
  const tls = {
    key: readFileSync(path.join(dataDir, 'tls', 'key.pem'), 'utf8'),
    cert: readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'),
  };
  return {
    name: options.name ?? (options.legacyReads ? 'gateway (reads one by one)' : 'gateway'),
    port: servers.smtpPort,
    app,
    servers,
    tls,
    async addSender(email) {
      await app.directory.addUser(BENCH_PRINCIPAL, { email, displayName: `Bench ${email}` });
      const { temporaryPassword } = await app.directory.resetPassword(BENCH_PRINCIPAL, email, {
        mustChangePassword: false,
      });
      return temporaryPassword;
    },
    async close() {
      await servers.close();
      await app.close();
      await log.end();
    },
  };
}

type Init = (this: SMTPConnection) => void;

/**
 * smtp-server 3.21.6 waits a fixed 100 ms before its greeting (SMTPConnection.init, an
 * early-talker check; no option). For the measurement only, this server swaps init for one
 * without the timer while its own connect() runs (synchronously), so nothing else is affected.
 * Sendwarden itself does not do this (docs/benchmarks.md says why).
 */
class NoGreetingDelayServer extends SMTPServer {
  override connect(socket: Socket, socketOptions?: unknown): void {
    const proto = SMTPConnection.prototype as unknown as { init: Init };
    const original = proto.init;
    proto.init = function (this: SMTPConnection) {
      this._setListeners(() => this.connectionReady());
    };
    try {
      (SMTPServer.prototype.connect as (s: Socket, o?: unknown) => void).call(this, socket, socketOptions);
    } finally {
      proto.init = original;
    }
  }
}

/** The bare relaying smtp-server (see the file comment). */
export async function startBaseline(
  nextHopUrl: string,
  tls: { key: string; cert: string },
  options: { noGreetingDelay?: boolean; rspamdUrl?: string } = {},
): Promise<Target> {
  const relay = new SmtpRelay({ url: nextHopUrl });
  // The same Rspamd client the gateway uses, called before relaying (its verdict is not acted on).
  const rspamd = options.rspamdUrl
    ? new RspamdScorer({ url: options.rspamdUrl, timeoutMs: 2000, maxBytes: 20 * 1024 * 1024 })
    : undefined;
  const config: SMTPServerOptions = {
    key: tls.key,
    cert: tls.cert,
    name: 'localhost',
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['AUTH'],
    socketTimeout: 60_000,
    closeTimeout: 2_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        const to = session.envelope.rcptTo.map((r) => r.address);
        const raw = Buffer.concat(chunks);
        const scanned = rspamd
          ? rspamd.scan({
              raw,
              mailFrom: from,
              recipients: to,
              clientAddress: session.remoteAddress,
              user: from,
              helo: session.hostNameAppearsAs,
              queueId: session.id,
            })
          : Promise.resolve();
        scanned
          .then(() => relay.send({ from, to }, raw))
          .then(
            (r) => callback(null, `Ok: relayed (${r.reply.slice(0, 40)})`),
            (err: unknown) =>
              callback(Object.assign(new Error('4.4.1 Next hop unavailable'), { responseCode: 451, cause: err })),
          );
      });
    },
  };
  const server = options.noGreetingDelay ? new NoGreetingDelayServer(config) : new SMTPServer(config);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    name: options.rspamdUrl
      ? 'baseline + rspamd'
      : options.noGreetingDelay
        ? 'baseline without greeting delay'
        : 'baseline',
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rspamd?.close();
      await relay.close();
    },
  };
}

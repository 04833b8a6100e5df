import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { authenticateClient } from './auth.js';
import { closeSession, openSession, secureSession } from './connect.js';
import { receiveData } from './data.js';
import type { GatewayContext, SessionState, SmtpGatewayDeps } from './gateway-context.js';
import { checkMailFrom } from './mail-from.js';
import { checkRcptTo } from './rcpt-to.js';
import { SmtpReply, replyFor, replyForError } from './replies.js';
import { loadOrCreateTls } from './tls.js';
import { guardConnection } from './connection-guard.js';

export type { SmtpGatewayDeps, SmtpLogger } from './gateway-context.js';

/** Where and how the gateway listens. */
export interface SmtpGatewayOptions {
  readonly host: string;
  /** Submission port with STARTTLS (0: any free port, as in tests). */
  readonly port: number;
  /** Implicit-TLS submission port (465 in production); unset: none. */
  readonly smtpsPort?: number;
  /** Holds `tls/key.pem` and `tls/cert.pem` (created once when missing and no `tls` is given). */
  readonly dataDir: string;
  /** Default 25 MB. */
  readonly maxMessageBytes?: number;
  /** Allow AUTH without TLS from 127.0.0.1 / ::1 only (local testing). Default false. */
  readonly allowPlainAuthOnLoopback?: boolean;
  /** Name in the greeting and the self-signed certificate. */
  readonly hostname: string;
  /** An admin's own key and certificate (PEM). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Idle time before a client is disconnected; default 60 s. */
  readonly socketTimeoutMs?: number;
  /** How long close() lets open sessions finish; default 10 s. */
  readonly closeTimeoutMs?: number;
  /** Concurrent clients per listener; default unlimited. */
  readonly maxClients?: number;
  /** Concurrent clients from one address (both listeners together); default 20. */
  readonly maxClientsPerIp?: number;
  /** Longest session, ms; default 10 minutes. */
  readonly sessionTimeoutMs?: number;
}

/** A running gateway. */
export interface SmtpGateway {
  readonly port: number;
  readonly smtpsPort?: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

type Callback<T> = (err: Error | null, value?: T) => void;

/**
 * The single bridge from smtp-server's callbacks to our async handlers: every outcome is a
 * reply from replies.ts, an unexpected error is logged and answered 451 4.3.0, and nothing
 * thrown ever reaches the socket or the process.
 */
function settle<T>(
  ctx: GatewayContext,
  phase: string,
  session: SMTPServerSession,
  work: () => Promise<T>,
  callback: Callback<T>,
): void {
  let promise: Promise<T>;
  try {
    promise = work();
  } catch (err) {
    promise = Promise.reject(err);
  }
  promise.then(
    (value) => callback(null, value),
    (err: unknown) => {
      const reply =
        err instanceof SmtpReply
          ? err
          : new SmtpReply(
              replyForError(err, (e) =>
                ctx.deps.logger.error({ err: e, phase, session: session.id }, 'unexpected error in SMTP session'),
              ),
            );
      callback(reply);
    },
  );
}

function stateOf(ctx: GatewayContext, session: SMTPServerSession): SessionState {
  const state = ctx.sessions.get(session.id);
  if (state === undefined) throw new Error(`no state for SMTP session ${session.id}`);
  return state;
}

function createServer(
  ctx: GatewayContext,
  options: SmtpGatewayOptions,
  tls: { key: string | Buffer; cert: string | Buffer },
  secure: boolean,
): SMTPServer {
  // Assigned below; the callbacks run only once the server exists.
  // eslint-disable-next-line prefer-const
  let server: SMTPServer;
  const config: SMTPServerOptions = {
    secure,
    key: tls.key,
    cert: tls.cert,
    name: options.hostname,
    banner: 'Sendwarden',
    logger: false,
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN'],
    // smtp-server refuses cleartext AUTH with 538 unless this is on; auth.ts then still allows it on loopback only.
    allowInsecureAuth: ctx.allowPlainAuthOnLoopback,
    authRequiredMessage: replyFor('UNAUTHENTICATED').slice(4),
    // Our reply texts carry their own enhanced status codes (contract.md).
    hideENHANCEDSTATUSCODES: true,
    // RFC 3461: RET, ENVID, NOTIFY and ORCPT are checked by smtp-server and passed to the next hop.
    hideDSN: false,
    hideREQUIRETLS: true,
    size: ctx.maxMessageBytes,
    // SIZE is advertised without the number: smtp-server's own MAIL FROM SIZE= refusal has a
    // text other than contract.md's, so mail-from.ts checks the declared size itself.
    hideSize: true,
    disabledCommands: secure ? ['STARTTLS'] : [],
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    closeTimeout: options.closeTimeoutMs ?? 10_000,
    maxClients: options.maxClients,
    onConnect: (session, callback) =>
      settle(
        ctx,
        'connect',
        session,
        () => openSession(ctx, session, () => guardConnection(ctx, server, session)),
        callback,
      ),
    onSecure: (_socket, session, callback) =>
      settle(ctx, 'secure', session, () => secureSession(ctx, session), callback),
    onAuth: (auth, session, callback) =>
      settle(
        ctx,
        'auth',
        session,
        async () => ({ user: (await authenticateClient(ctx, stateOf(ctx, session), auth, session)).id }),
        (err, value) => (err === null ? callback(null, value) : callback(err)),
      ),
    onMailFrom: (address, session, callback) =>
      settle(ctx, 'mail-from', session, () => checkMailFrom(ctx, stateOf(ctx, session), address, session), callback),
    onRcptTo: (address, session, callback) =>
      settle(ctx, 'rcpt-to', session, () => checkRcptTo(ctx, stateOf(ctx, session), address), callback),
    onData: (stream, session, callback) => {
      // A refusal before the stream is read must still drain it, or smtp-server waits forever.
      settle(
        ctx,
        'data',
        session,
        () => receiveData(ctx, stateOf(ctx, session), stream, session),
        (err, message) => {
          if (!stream.readableEnded) stream.resume();
          if (err === null) callback(null, message);
          else callback(err);
        },
      );
    },
    onClose: (session) => {
      try {
        closeSession(ctx, session);
      } catch (err) {
        ctx.deps.logger.error({ err, session: session.id }, 'closing an SMTP session failed');
      }
    },
  };
  server = new SMTPServer(config);
  server.on('error', (err) => ctx.deps.logger.warn({ err, secure }, 'smtp connection error'));
  return server;
}

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the submission gateway: STARTTLS on `port`, implicit TLS on `smtpsPort`, AUTH PLAIN
 * and LOGIN after TLS, every phase checked by the guard, every accepted message handed to the
 * relay before the client hears 250.
 */
export async function startSmtpGateway(deps: SmtpGatewayDeps, options: SmtpGatewayOptions): Promise<SmtpGateway> {
  const ctx: GatewayContext = {
    deps,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    allowPlainAuthOnLoopback: options.allowPlainAuthOnLoopback ?? false,
    sessions: new Map(),
    hostname: options.hostname,
    limits: {
      maxClientsPerIp: options.maxClientsPerIp ?? 20,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 600_000,
      maxAuthFailures: 3,
      maxBadCommands: 10,
    },
  };
  let tls = options.tls;
  if (tls === undefined) {
    const material = await loadOrCreateTls(options.dataDir, options.hostname);
    if (material.created)
      deps.logger.info(
        { dir: options.dataDir },
        'created a self-signed TLS certificate for SMTP (replace tls/cert.pem and tls/key.pem with your own)',
      );
    tls = material;
  }
  const submission = createServer(ctx, options, tls, false);
  const port = await listen(submission, options.port, options.host);
  let smtps: SMTPServer | undefined;
  let smtpsPort: number | undefined;
  if (options.smtpsPort !== undefined) {
    smtps = createServer(ctx, options, tls, true);
    try {
      smtpsPort = await listen(smtps, options.smtpsPort, options.host);
    } catch (err) {
      await closeServer(submission);
      throw err;
    }
  }
  deps.logger.info({ host: options.host, port, smtpsPort }, 'smtp gateway listening');
  return {
    port,
    ...(smtpsPort === undefined ? {} : { smtpsPort }),
    close: async () => {
      await Promise.all([closeServer(submission), smtps === undefined ? Promise.resolve() : closeServer(smtps)]);
    },
  };
}

import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Sender } from '../../core/directory/user.js';
import type { PolicyGuard } from '../../core/sending/submission-port.js';
import type { Clock } from '../../ports/clock.js';
import { actionForError } from './actions.js';
import { EnvelopeCache } from './envelope-cache.js';
import { PolicyParser, type PolicyAttributes } from './parser.js';
import { PolicyDecider, QUERY_ATTRIBUTES, readQuery, type PolicyLogger, type PolicyQuery } from './policy-decider.js';

export type { PolicyLogger } from './policy-decider.js';

/** What the policy service needs from the rest of the application, one by one. */
export interface PolicyServerDeps {
  /** The directory user for a SASL login name (address or alias), or undefined. */
  findUser(login: string): Promise<Sender | undefined>;
  guard: PolicyGuard;
  logger: PolicyLogger;
  /** Ages the per-message envelopes. */
  clock: Clock;
  /**
   * Told, for every answered request, the seconds from the request parsed (its empty line read)
   * to its answer written to the socket: the /metrics histogram sendwarden_policy_decision_seconds.
   */
  observeDecision?: (seconds: number) => void;
}

/** Where and how the service listens. */
export interface PolicyServerOptions {
  readonly host: string;
  /** 0: any free port, as in tests. */
  readonly port: number;
  /**
   * A connection with no bytes for this long is closed. Postfix closes idle policy connections
   * itself after smtpd_policy_service_max_idle (300 s); default 330 s, so Postfix normally goes first.
   */
  readonly idleTimeoutMs?: number;
  /** A request the guard has not answered in this time gets 451 4.3.0; default 30 s (Postfix waits 100 s). */
  readonly requestTimeoutMs?: number;
  /** How long a message's envelope is kept after its last request; default 10 minutes. */
  readonly envelopeTtlMs?: number;
  /** Most messages remembered at once; default 50,000. */
  readonly maxEnvelopes?: number;
  /** Concurrent connections; default 1,000 (Postfix opens one per smtpd process). */
  readonly maxConnections?: number;
  /** How long close() lets a request in flight finish; default 5 s. */
  readonly closeTimeoutMs?: number;
}

/** A running policy service. */
export interface PolicyServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Requests a client may send ahead of our replies; Postfix sends one and waits. */
const MAX_QUEUED_REQUESTS = 16;

interface Connection {
  readonly socket: Socket;
  busy: boolean;
  /** The request being decided, until its answer or its timeout. */
  inFlight: { readonly query: PolicyQuery; readonly resolve: (action: string) => void } | undefined;
  /** Re-armed for each request; fires requestTimeoutMs after the latest one started. */
  timer: NodeJS.Timeout | undefined;
  isClosing: boolean;
  /** Ends the connection once no request is in flight. */
  finish: () => void;
}

/**
 * Starts the Postfix policy delegation service (SMTPD_POLICY_README): Postfix's
 * check_policy_service asks it at each RCPT and it answers with an action from actions.ts.
 * Each connection's requests are answered in order, one at a time. A protocol violation (a
 * line over 2 KB, more than 100 attributes, a line that is not name=value, no
 * request=smtpd_access_policy) is logged and the connection closed, as the protocol asks of a
 * server in trouble; Postfix then applies smtpd_policy_service_default_action and reconnects.
 */
export async function startPolicyServer(deps: PolicyServerDeps, options: PolicyServerOptions): Promise<PolicyServer> {
  const { logger, observeDecision } = deps;
  const decider = new PolicyDecider({
    findUser: deps.findUser,
    guard: deps.guard,
    logger,
    envelopes: new EnvelopeCache({
      ttlMs: options.envelopeTtlMs ?? 10 * 60_000,
      maxEntries: options.maxEnvelopes ?? 50_000,
      clock: deps.clock,
    }),
  });
  const idleTimeoutMs = options.idleTimeoutMs ?? 330_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const connections = new Set<Connection>();

  /**
   * The decider's answer, or 451 4.3.0 after requestTimeoutMs. A connection has one request in
   * flight at a time, so it keeps one timer and re-arms it per request (`refresh`) instead of a
   * timer, a timeout promise and a race per request.
   */
  const answer = (conn: Connection, query: PolicyQuery): Promise<string> =>
    new Promise<string>((resolve) => {
      const flight = { query, resolve };
      conn.inFlight = flight;
      if (conn.timer === undefined) {
        conn.timer = setTimeout(() => {
          const late = conn.inFlight;
          if (late === undefined) return;
          conn.inFlight = undefined;
          logger.error(
            { instance: late.query.instance, user: late.query.saslUsername },
            'a Postfix policy request timed out',
          );
          late.resolve(actionForError(new Error('policy request timed out'), () => undefined));
        }, requestTimeoutMs);
        conn.timer.unref();
      } else conn.timer.refresh();
      void decider.answer(query).then((action) => {
        if (conn.inFlight !== flight) return;
        conn.inFlight = undefined;
        resolve(action);
      });
    });

  const serve = (socket: Socket): void => {
    const conn: Connection = {
      socket,
      busy: false,
      isClosing: false,
      inFlight: undefined,
      timer: undefined,
      finish: () => socket.destroy(),
    };
    connections.add(conn);
    const parser = new PolicyParser({ keep: QUERY_ATTRIBUTES });
    // Each request with the time its empty line was parsed (performance.now(), ms).
    const queue: { attributes: PolicyAttributes; parsedAt: number }[] = [];
    const client = socket.remoteAddress;

    const drop = (reason: string) => {
      logger.warn({ client, reason }, 'Postfix policy client broke the protocol; closing the connection');
      queue.length = 0;
      socket.destroy();
    };

    const drain = async () => {
      if (conn.busy) return;
      conn.busy = true;
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const { attributes, parsedAt } = queue.shift()!;
          const query = readQuery(attributes);
          if (typeof query === 'string') return drop(query);
          const action = await answer(conn, query);
          if (!socket.destroyed && socket.writable) {
            socket.write(`${action}\n\n`);
            observeDecision?.((performance.now() - parsedAt) / 1000);
          }
        }
      } catch (err) {
        // answer() never rejects; this guards the write path itself.
        logger.error({ err, client }, 'Postfix policy connection failed');
        socket.destroy();
      } finally {
        conn.busy = false;
        if (conn.isClosing) finish();
      }
    };
    const finish = () => {
      if (!socket.destroyed) socket.end(() => socket.destroy());
    };
    conn.finish = finish;

    socket.setTimeout(idleTimeoutMs);
    socket.on('timeout', () => {
      logger.debug({ client }, 'idle Postfix policy connection closed');
      socket.destroy();
    });
    socket.on('error', (err) => logger.debug({ err, client }, 'Postfix policy connection error'));
    // A client that half-closes after its last request (printf ... | nc -N) still gets the replies.
    socket.on('end', () => {
      conn.isClosing = true;
      if (!conn.busy) finish();
    });
    socket.on('close', () => {
      queue.length = 0;
      clearTimeout(conn.timer);
      connections.delete(conn);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of parser.feed(chunk)) {
        if (event.kind === 'violation') return drop(event.reason);
        if (queue.length >= MAX_QUEUED_REQUESTS) return drop('too many requests sent ahead of the replies');
        queue.push({ attributes: event.attributes, parsedAt: performance.now() });
      }
      void drain();
    });
  };

  const server = createServer({ allowHalfOpen: true, noDelay: true }, serve);
  server.maxConnections = options.maxConnections ?? 1000;
  server.on('error', (err) => logger.warn({ err }, 'Postfix policy service error'));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  logger.info({ host: options.host, port }, 'Postfix policy service listening');

  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Postfix keeps policy connections open for minutes: end idle ones now, busy ones after their reply.
      for (const conn of connections) {
        conn.isClosing = true;
        if (!conn.busy) conn.finish();
      }
      const force = setTimeout(() => {
        for (const conn of connections) conn.socket.destroy();
      }, options.closeTimeoutMs ?? 5000);
      force.unref();
      await closed;
      clearTimeout(force);
    },
  };
}

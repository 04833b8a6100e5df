import { Readable } from 'node:stream';
import { createTransport } from 'nodemailer';
import { DomainError } from '../../core/errors.js';
import type { Relay, RelayEnvelope, RelayMessageInfo, RelayResult } from '../../ports/relay.js';

/** Where the next hop is and how long to wait for it. */
export interface SmtpRelayOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://...` (implicit TLS). */
  readonly url: string;
  /** Pooled connections to the next hop; default 5. */
  readonly maxConnections?: number;
  /** TCP connect, ms; default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** Wait for the 220 greeting, ms; default 10 s. */
  readonly greetingTimeoutMs?: number;
  /** Inactivity during a session, ms; default 30 s. */
  readonly socketTimeoutMs?: number;
  /** Whole send (queue wait included), ms; default 120 s. */
  readonly sendTimeoutMs?: number;
  /** Verify the next hop's certificate; default true. */
  readonly rejectUnauthorized?: boolean;
  /** Our name in EHLO. */
  readonly clientName?: string;
  readonly logger?: { warn(obj: object, msg?: string): void };
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

function parseRelayUrl(url: string): {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new DomainError('CONFIG_INVALID', `SENDWARDEN_RELAY "${url}" is not a URL like smtp://host:port.`, {
      cause: err,
    });
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new DomainError(
      'CONFIG_INVALID',
      `SENDWARDEN_RELAY must start with smtp:// or smtps://, not ${parsed.protocol}//.`,
    );
  }
  const secure = parsed.protocol === 'smtps:';
  const user = decodeURIComponent(parsed.username);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? (secure ? 465 : 25) : Number(parsed.port),
    secure,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(parsed.password) } }),
  };
}

/**
 * Only a permanent answer about this message (its envelope or content) is passed to the
 * client as a rejection. A 5xx to our own AUTH or TLS is our configuration problem, and a
 * timeout or a 4xx is temporary: the client must keep the message and retry.
 */
function mapSendError(err: unknown): DomainError {
  const e = err as NodemailerError;
  const code = typeof e?.responseCode === 'number' ? e.responseCode : 0;
  if ((e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE') && code >= 500 && code < 600) {
    return new DomainError('RELAY_REJECTED', 'The next hop refused the message.', {
      cause: err,
      details: { reply: e.response ?? String(code) },
    });
  }
  return new DomainError('RELAY_UNAVAILABLE', 'The next hop could not take the message now.', { cause: err });
}

/**
 * The next hop over SMTP (nodemailer pool). A message counts as handed on only when the next
 * hop answered 250 to its DATA; a partial refusal of recipients is a refusal of the message,
 * since the client was already told every recipient was accepted.
 */
export class SmtpRelay implements Relay {
  readonly #transport: ReturnType<typeof createTransport>;
  readonly #sendTimeoutMs: number;
  #closed = false;

  constructor(options: SmtpRelayOptions) {
    const target = parseRelayUrl(options.url);
    this.#sendTimeoutMs = options.sendTimeoutMs ?? 120_000;
    this.#transport = createTransport({
      pool: true,
      host: target.host,
      port: target.port,
      secure: target.secure,
      ...(target.auth === undefined ? {} : { auth: target.auth }),
      maxConnections: options.maxConnections ?? 5,
      // A connection that dies mid-send is retried once on a fresh one; a duplicate beats a loss.
      maxRequeues: 1,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
      name: options.clientName,
      tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.#transport.on('error', (err: unknown) => options.logger?.warn({ err }, 'next-hop pool error'));
  }

  async send(
    envelope: RelayEnvelope,
    raw: Buffer | AsyncIterable<Uint8Array>,
    _info?: RelayMessageInfo,
  ): Promise<RelayResult> {
    if (this.#closed) throw new DomainError('RELAY_UNAVAILABLE', 'The relay is shut down.');
    let info;
    try {
      info = await this.#transport.sendMail({
        envelope: { from: envelope.from, to: [...envelope.to] },
        raw: Buffer.isBuffer(raw) ? raw : Readable.from(raw),
        signal: AbortSignal.timeout(this.#sendTimeoutMs),
      });
    } catch (err) {
      throw mapSendError(err);
    }
    const rejected = info.rejectedErrors ?? [];
    if (info.rejected.length > 0) {
      const first = rejected[0] as NodemailerError | undefined;
      throw mapSendError(
        Object.assign(first ?? new Error('recipient refused'), {
          code: 'EENVELOPE',
          responseCode: first?.responseCode ?? 450,
        }),
      );
    }
    return { reply: info.response, outcome: 'relayed' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#transport.close();
  }
}

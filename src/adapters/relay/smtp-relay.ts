import { DomainError } from '../../core/errors.js';
import type {
  RecipientAnswer,
  Relay,
  RelayEnvelope,
  RelayMail,
  RelayRecipientOptions,
  RelayResult,
  RelayTransaction,
} from '../../ports/relay.js';
import { SmtpClient, type SmtpClientReply, type SmtpClientTarget } from './smtp-client.js';
import { parseRelayUrl } from './relay-url.js';

/** Where the next hop is and how long to wait for it. */
export interface SmtpRelayOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://...` (implicit TLS). */
  readonly url: string;
  /** Idle connections kept for the next transaction; default 10. */
  readonly maxConnections?: number;
  /** TCP connect, ms; default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** Wait for the 220 greeting (and a TLS handshake), ms; default 10 s. */
  readonly greetingTimeoutMs?: number;
  /** Wait for one reply, ms; default 30 s. */
  readonly socketTimeoutMs?: number;
  /** Wait for the reply to the end of data, ms; default 120 s. */
  readonly sendTimeoutMs?: number;
  /** An idle pooled connection is closed after this long, ms; default 20 s. */
  readonly idleTimeoutMs?: number;
  /** Verify the next hop's certificate; default true. */
  readonly rejectUnauthorized?: boolean;
  /** Our name in EHLO (SENDWARDEN_HOSTNAME). */
  readonly clientName?: string;
  readonly logger?: { warn(obj: object, msg?: string): void };
}

const UNAVAILABLE = 'The next hop could not take the message now.';
// A reply line passed to our client must not carry control characters.
const CLEAN = /[^\x20-\x7e]/g;

function unavailable(cause: unknown, reply?: string): DomainError {
  return new DomainError('RELAY_UNAVAILABLE', UNAVAILABLE, {
    cause,
    ...(reply === undefined ? {} : { details: { reply } }),
  });
}

/** xtext (RFC 3461 section 4): parameters are passed on as the client wrote them, after a syntax check. */
const XTEXT = /^[\x21-\x7e]{1,500}$/;

function mailLine(mail: RelayMail, client: SmtpClient): string {
  const params: string[] = [];
  if (mail.smtputf8 === true && client.offers('SMTPUTF8')) params.push('SMTPUTF8');
  if (client.offers('DSN')) {
    if (mail.ret !== undefined && XTEXT.test(mail.ret)) params.push(`RET=${mail.ret}`);
    if (mail.envid !== undefined && XTEXT.test(mail.envid)) params.push(`ENVID=${mail.envid}`);
  }
  return `MAIL FROM:<${mail.from}>${params.map((p) => ` ${p}`).join('')}`;
}

function rcptLine(to: string, options: RelayRecipientOptions | undefined, client: SmtpClient): string {
  const params: string[] = [];
  if (options !== undefined && client.offers('DSN')) {
    if (options.notify !== undefined && XTEXT.test(options.notify)) params.push(`NOTIFY=${options.notify}`);
    if (options.orcpt !== undefined && XTEXT.test(options.orcpt)) params.push(`ORCPT=${options.orcpt}`);
  }
  return `RCPT TO:<${to}>${params.map((p) => ` ${p}`).join('')}`;
}

function needsUtf8(address: string): boolean {
  return [...address].some((c) => c.charCodeAt(0) > 0x7f);
}

/**
 * The next hop over SMTP, as Postfix's before-queue proxy (smtpd_proxy_filter): each client
 * transaction gets its own next-hop transaction, every recipient the policy accepted is
 * offered there and gets the next hop's own answer, and DATA is answered 250 only after the
 * next hop's 250, so the message reaches exactly the recipients both accepted. Idle
 * connections are pooled and reused by the next transaction.
 */
export class SmtpRelay implements Relay {
  readonly #target: SmtpClientTarget;
  readonly #maxIdle: number;
  readonly #idleTimeoutMs: number;
  readonly #idle: { client: SmtpClient; timer: NodeJS.Timeout }[] = [];
  readonly #logger: SmtpRelayOptions['logger'];
  #closed = false;

  constructor(options: SmtpRelayOptions) {
    const url = parseRelayUrl(options.url);
    this.#target = {
      ...url,
      clientName: options.clientName ?? 'localhost',
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      connectTimeoutMs: options.connectionTimeoutMs ?? 10_000,
      greetingTimeoutMs: options.greetingTimeoutMs ?? 10_000,
      commandTimeoutMs: options.socketTimeoutMs ?? 30_000,
      // The end-of-data reply gets the inactivity limit too, bounded by the whole-send limit.
      dataTimeoutMs: Math.min(options.sendTimeoutMs ?? 120_000, options.socketTimeoutMs ?? 30_000),
    };
    this.#maxIdle = options.maxConnections ?? 10;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 20_000;
    this.#logger = options.logger;
  }

  async begin(mail: RelayMail): Promise<RelayTransaction> {
    if (this.#closed) throw unavailable(new Error('relay closed'));
    // A pooled connection the next hop dropped meanwhile fails at MAIL: retry once on a fresh one.
    for (let attempt = 0; ; attempt += 1) {
      const { client, reused } = await this.#acquire();
      let reply: SmtpClientReply;
      try {
        reply = await client.command(mailLine(mail, client));
      } catch (err) {
        client.destroy();
        if (reused && attempt === 0) continue;
        throw unavailable(err);
      }
      if (reply.code === 250) return new SmtpRelayTransaction(this, client, mail);
      this.release(client, true);
      if (reply.code >= 500) {
        throw new DomainError('RELAY_REJECTED', 'The next hop refused the sender.', {
          details: { reply: reply.line.replace(CLEAN, '') },
        });
      }
      throw unavailable(new Error(reply.line), reply.line.replace(CLEAN, ''));
    }
  }

  /** The whole transaction at once (for callers without a session, e.g. the bench baseline). */
  async send(envelope: RelayEnvelope, raw: Buffer | AsyncIterable<Uint8Array>): Promise<RelayResult> {
    const body = Buffer.isBuffer(raw) ? raw : await collect(raw);
    const tx = await this.begin({ from: envelope.from });
    for (const to of envelope.to) {
      const answer = await tx.addRecipient(to);
      if (!answer.accepted) {
        await tx.abort();
        throw answer.permanent
          ? new DomainError('RELAY_REJECTED', 'The next hop refused a recipient.', { details: { reply: answer.reply } })
          : unavailable(new Error(answer.reply));
      }
    }
    return tx.data([body]);
  }

  /** Gives a connection back: RSET first when a transaction is open, then into the pool (or QUIT). */
  release(client: SmtpClient, needsReset: boolean): void {
    if (!client.isUsable) return;
    if (this.#closed || this.#idle.length >= this.#maxIdle) {
      void client.quit();
      return;
    }
    const park = () => {
      const timer = setTimeout(() => {
        const i = this.#idle.findIndex((e) => e.client === client);
        if (i !== -1) this.#idle.splice(i, 1);
        void client.quit();
      }, this.#idleTimeoutMs);
      timer.unref();
      this.#idle.push({ client, timer });
    };
    if (!needsReset) return park();
    client.command('RSET').then(
      (r) => (r.code === 250 ? park() : client.destroy()),
      () => client.destroy(),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    await Promise.all(
      idle.map((e) => {
        clearTimeout(e.timer);
        return e.client.quit();
      }),
    );
  }

  async #acquire(): Promise<{ client: SmtpClient; reused: boolean }> {
    for (let e = this.#idle.pop(); e !== undefined; e = this.#idle.pop()) {
      clearTimeout(e.timer);
      if (e.client.isUsable) return { client: e.client, reused: true };
    }
    const client = new SmtpClient(this.#target);
    try {
      await client.connect();
    } catch (err) {
      client.destroy();
      this.#logger?.warn({ err }, 'cannot open a connection to the next hop');
      throw unavailable(err);
    }
    return { client, reused: false };
  }
}

class SmtpRelayTransaction implements RelayTransaction {
  readonly #relay: SmtpRelay;
  readonly #client: SmtpClient;
  readonly #mail: RelayMail;
  #done = false;
  #accepted = 0;

  constructor(relay: SmtpRelay, client: SmtpClient, mail: RelayMail) {
    this.#relay = relay;
    this.#client = client;
    this.#mail = mail;
  }

  async addRecipient(to: string, options?: RelayRecipientOptions): Promise<RecipientAnswer> {
    if (this.#done) throw unavailable(new Error('transaction already ended'));
    // RFC 6531 section 3.4: without SMTPUTF8 at the next hop, a UTF-8 address cannot be handed on.
    if ((needsUtf8(to) || needsUtf8(this.#mail.from)) && !this.#client.offers('SMTPUTF8')) {
      return { accepted: false, reply: '553 5.6.7 Next hop does not support SMTPUTF8 addresses', permanent: true };
    }
    let reply: SmtpClientReply;
    try {
      reply = await this.#client.command(rcptLine(to, options, this.#client));
    } catch (err) {
      this.#finish(false);
      throw unavailable(err);
    }
    const line = reply.line.replace(CLEAN, '');
    if (reply.code === 250 || reply.code === 251) {
      this.#accepted += 1;
      return { accepted: true, reply: line };
    }
    return { accepted: false, reply: line, permanent: reply.code >= 500 };
  }

  async data(parts: readonly Buffer[]): Promise<RelayResult> {
    if (this.#done) throw unavailable(new Error('transaction already ended'));
    if (this.#accepted === 0) {
      this.#finish(true);
      throw unavailable(new Error('no recipient accepted by the next hop'));
    }
    let reply: SmtpClientReply;
    try {
      reply = await this.#client.data(parts);
    } catch (err) {
      this.#finish(false);
      throw unavailable(err);
    }
    const line = reply.line.replace(CLEAN, '');
    if (reply.code === 250) {
      this.#finish(false);
      return { reply: line, outcome: 'relayed' };
    }
    // A refused DATA command leaves the transaction open at the next hop: RSET before reuse.
    this.#finish(true);
    if (reply.code >= 500) {
      throw new DomainError('RELAY_REJECTED', 'The next hop refused the message.', { details: { reply: line } });
    }
    throw unavailable(new Error(line));
  }

  async abort(): Promise<void> {
    if (!this.#done) this.#finish(true);
  }

  #finish(needsReset: boolean): void {
    this.#done = true;
    this.#relay.release(this.#client, needsReset);
  }
}

async function collect(raw: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of raw) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

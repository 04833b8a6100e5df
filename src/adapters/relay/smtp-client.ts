import net from 'node:net';
import tls from 'node:tls';

/** One SMTP reply: the code, every text line, and the last line as the peer wrote it. */
export interface SmtpClientReply {
  readonly code: number;
  readonly lines: readonly string[];
  /** The final line, e.g. `550 5.1.1 <x@y>: Recipient address rejected`. */
  readonly line: string;
}

/** Where to connect and how long to wait for each step (ms). */
export interface SmtpClientTarget {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps://). */
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
  readonly clientName: string;
  readonly rejectUnauthorized: boolean;
  readonly connectTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  /** Wait for one reply (DATA's final reply uses dataTimeoutMs). */
  readonly commandTimeoutMs: number;
  readonly dataTimeoutMs: number;
}

/** The connection failed, timed out or the peer answered something unusable. */
export class SmtpClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SmtpClientError';
  }
}

const REPLY_LINE = /^(\d{3})([ -])(.*)$/;

/**
 * RFC 5321 section 4.5.2: a line starting with "." gets one more; the end of data is
 * `CRLF.CRLF`. The gateway only hands on messages whose every line ends in CRLF.
 */
export function dotStuff(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  if (raw[0] === 0x2e) {
    parts.push(Buffer.from('.'));
  }
  for (let i = raw.indexOf('\r\n.'); i !== -1; i = raw.indexOf('\r\n.', i + 3)) {
    parts.push(raw.subarray(start, i + 2), Buffer.from('.'));
    start = i + 2;
  }
  parts.push(raw.subarray(start));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d && raw[raw.length - 1] === 0x0a;
  parts.push(Buffer.from(endsWithCrlf || raw.length === 0 ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

/**
 * A minimal ESMTP client for one connection to the next hop: greeting, EHLO with our own
 * name, STARTTLS when offered (implicit TLS for smtps://), AUTH PLAIN when the URL has
 * credentials, then one command at a time. Every wait is bounded; a timeout or a broken
 * connection rejects with SmtpClientError and destroys the socket.
 */
export class SmtpClient {
  readonly #target: SmtpClientTarget;
  #socket: net.Socket | tls.TLSSocket | null = null;
  #buffer = '';
  #pending: { lines: string[]; resolve: (r: SmtpClientReply) => void; reject: (e: Error) => void } | null = null;
  #failure: Error | null = null;
  #extensions = new Set<string>();

  constructor(target: SmtpClientTarget) {
    this.#target = target;
  }

  /** False once the connection broke or was closed. */
  get isUsable(): boolean {
    return this.#failure === null && this.#socket !== null && !this.#socket.destroyed;
  }

  /** True when the peer's EHLO listed the extension (upper case, e.g. `SMTPUTF8`, `DSN`). */
  offers(extension: string): boolean {
    return this.#extensions.has(extension);
  }

  async connect(): Promise<void> {
    const t = this.#target;
    const socket = await this.#open();
    this.#attach(socket);
    const greeting = await this.#read(t.greetingTimeoutMs);
    if (greeting.code !== 220) throw this.#fail(new SmtpClientError(`next hop greeted with "${greeting.line}"`));
    await this.#ehlo();
    if (!t.secure && this.offers('STARTTLS')) {
      const ready = await this.command('STARTTLS');
      if (ready.code !== 220) throw this.#fail(new SmtpClientError(`STARTTLS refused: "${ready.line}"`));
      await this.#upgrade();
      await this.#ehlo();
    }
    if (t.auth !== undefined) {
      const token = Buffer.from(`\0${t.auth.user}\0${t.auth.pass}`).toString('base64');
      const reply = await this.command(`AUTH PLAIN ${token}`);
      if (reply.code !== 235) throw this.#fail(new SmtpClientError(`next hop refused our AUTH: "${reply.line}"`));
    }
  }

  /** Sends one command line and waits for its reply. */
  command(line: string, timeoutMs = this.#target.commandTimeoutMs): Promise<SmtpClientReply> {
    this.#write(`${line}\r\n`);
    return this.#read(timeoutMs);
  }

  /** DATA, then the dot-stuffed message; resolves with the final reply (or the refusal of DATA). */
  async data(raw: Buffer): Promise<SmtpClientReply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    this.#write(dotStuff(raw));
    return this.#read(this.#target.dataTimeoutMs);
  }

  /** QUIT without waiting long, then close. Never throws. */
  async quit(): Promise<void> {
    if (this.isUsable) await this.command('QUIT', 2_000).catch(() => undefined);
    this.destroy();
  }

  destroy(): void {
    this.#failure ??= new SmtpClientError('connection closed');
    this.#socket?.destroy();
    this.#socket = null;
  }

  async #ehlo(): Promise<void> {
    const reply = await this.command(`EHLO ${this.#target.clientName}`);
    if (reply.code !== 250) throw this.#fail(new SmtpClientError(`next hop refused EHLO: "${reply.line}"`));
    this.#extensions = new Set(reply.lines.slice(1).map((l) => (l.split(' ')[0] ?? '').toUpperCase()));
  }

  #open(): Promise<net.Socket> {
    const t = this.#target;
    return new Promise((resolve, reject) => {
      const socket = t.secure
        ? tls.connect({
            host: t.host,
            port: t.port,
            servername: servername(t.host),
            rejectUnauthorized: t.rejectUnauthorized,
          })
        : net.connect({ host: t.host, port: t.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SmtpClientError(`connecting to ${t.host}:${t.port} timed out`));
      }, t.connectTimeoutMs);
      socket.once(t.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new SmtpClientError(`cannot connect to ${t.host}:${t.port}: ${err.message}`, { cause: err }));
      });
    });
  }

  #upgrade(): Promise<void> {
    const t = this.#target;
    const plain = this.#socket as net.Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    return new Promise((resolve, reject) => {
      const secured = tls.connect({
        socket: plain,
        servername: servername(t.host),
        rejectUnauthorized: t.rejectUnauthorized,
      });
      const timer = setTimeout(() => {
        secured.destroy();
        reject(this.#fail(new SmtpClientError('TLS handshake with the next hop timed out')));
      }, t.greetingTimeoutMs);
      secured.once('secureConnect', () => {
        clearTimeout(timer);
        secured.removeAllListeners('error');
        this.#attach(secured);
        resolve();
      });
      secured.once('error', (err) => {
        clearTimeout(timer);
        reject(this.#fail(new SmtpClientError(`TLS with the next hop failed: ${err.message}`, { cause: err })));
      });
    });
  }

  #attach(socket: net.Socket): void {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) =>
      this.#fail(new SmtpClientError(`next hop connection failed: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => this.#fail(new SmtpClientError('next hop closed the connection')));
  }

  #onData(chunk: Buffer): void {
    this.#buffer += chunk.toString('utf8');
    for (let nl = this.#buffer.indexOf('\n'); nl !== -1; nl = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, nl).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(nl + 1);
      const pending = this.#pending;
      if (pending === null) continue;
      const m = REPLY_LINE.exec(line);
      if (m === null) {
        this.#fail(new SmtpClientError(`next hop sent a malformed reply line "${line.slice(0, 80)}"`));
        return;
      }
      pending.lines.push(m[3] ?? '');
      if (m[2] === ' ') {
        this.#pending = null;
        pending.resolve({ code: Number(m[1]), lines: pending.lines, line });
      }
    }
    if (this.#buffer.length > 64 * 1024) this.#fail(new SmtpClientError('next hop sent an over-long reply'));
  }

  #read(timeoutMs: number): Promise<SmtpClientReply> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new SmtpClientError(`next hop did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending = {
        lines: [],
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  #write(data: string | Buffer): void {
    if (this.#failure === null) this.#socket?.write(data);
  }

  #fail(err: Error): Error {
    if (this.#failure === null) this.#failure = err;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(this.#failure);
    this.#socket?.destroy();
    return this.#failure;
  }
}

function servername(host: string): string | undefined {
  return net.isIP(host) === 0 ? host : undefined;
}

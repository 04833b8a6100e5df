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

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const STUFFING = Buffer.from('.');
const LINE_START_DOT = Buffer.from('\r\n.');
const END_OF_DATA = Buffer.from('.\r\n');
const CRLF_END_OF_DATA = Buffer.from('\r\n.\r\n');

/**
 * RFC 5321 section 4.5.2: a line starting with "." gets one more, and the data ends with
 * `CRLF.CRLF`. Hands `write` the message `parts` (in order) as slices of themselves with the
 * added dots between them, so a message with no line starting with "." costs one scan and no
 * copy. A line's CRLF may end one part and its dot start the next. The gateway only hands on
 * messages whose every line ends in CRLF; one that does not still gets a CRLF before the dot.
 */
export function writeDotStuffed(parts: readonly Buffer[], write: (chunk: Buffer) => void): void {
  // The last two bytes of the parts before this one (-1: none yet).
  let last = -1;
  let beforeLast = -1;
  let size = 0;
  for (const part of parts) {
    const n = part.length;
    if (n === 0) continue;
    let start = 0;
    if (part[0] === DOT && (size === 0 || (beforeLast === CR && last === LF))) {
      write(STUFFING);
    } else if (n > 1 && part[0] === LF && part[1] === DOT && last === CR) {
      write(part.subarray(0, 1));
      write(STUFFING);
      start = 1;
    }
    for (let i = part.indexOf(LINE_START_DOT); i !== -1; i = part.indexOf(LINE_START_DOT, i + 3)) {
      write(part.subarray(start, i + 2));
      write(STUFFING);
      start = i + 2;
    }
    write(start === 0 ? part : part.subarray(start));
    size += n;
    beforeLast = n > 1 ? (part[n - 2] ?? -1) : last;
    last = part[n - 1] ?? -1;
  }
  write(size === 0 || (beforeLast === CR && last === LF) ? END_OF_DATA : CRLF_END_OF_DATA);
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

  /** DATA, then the dot-stuffed message (`parts` in order); resolves with the final reply (or the refusal of DATA). */
  async data(parts: readonly Buffer[]): Promise<SmtpClientReply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    const socket = this.#socket;
    if (this.#failure === null && socket !== null) {
      // Corked, the slices leave in one writev (one system call), not in one write each.
      socket.cork();
      writeDotStuffed(parts, (chunk) => socket.write(chunk));
      socket.uncork();
    }
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

  #write(data: string): void {
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

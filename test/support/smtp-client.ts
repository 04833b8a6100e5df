/**
 * A minimal raw-socket SMTP client for tests: it sends exactly the bytes it is given (bare LF,
 * pipelined commands, half messages) and reads replies line by line, so a test can assert
 * the exact reply a real client would see.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface SmtpClientOptions {
  readonly host?: string;
  /** Implicit TLS (the smtps port). */
  readonly implicitTls?: boolean;
  /** PEM to verify the server with; unset: accept any certificate. */
  readonly ca?: string;
  /** How long to wait for any one reply before failing the test; default 10 s. */
  readonly replyTimeoutMs?: number;
}

export class SmtpTestClient {
  #socket: net.Socket;
  #buffer = '';
  #lines: string[] = [];
  #replies: string[] = [];
  #waiters: { resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  #closed = false;
  #replyTimeoutMs: number;
  readonly closed: Promise<void>;
  #onClosed!: () => void;
  greeting = '';

  private constructor(socket: net.Socket, replyTimeoutMs: number) {
    this.#socket = socket;
    this.#replyTimeoutMs = replyTimeoutMs;
    this.closed = new Promise((resolve) => (this.#onClosed = resolve));
    this.#attach(socket);
  }

  /** Connects and waits for the 220 greeting. */
  static async connect(port: number, options: SmtpClientOptions = {}): Promise<SmtpTestClient> {
    const host = options.host ?? '127.0.0.1';
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = options.implicitTls
        ? tls.connect(
            {
              host,
              port,
              servername: 'localhost',
              ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca }),
            },
            () => resolve(s),
          )
        : net.connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new SmtpTestClient(socket, options.replyTimeoutMs ?? 10_000);
    client.greeting = await client.read();
    return client;
  }

  #attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w.reject(new Error('connection closed before a reply'));
      this.#onClosed();
    });
  }

  #onData(chunk: Buffer): void {
    this.#buffer += chunk.toString('utf8');
    let i: number;
    while ((i = this.#buffer.indexOf('\r\n')) !== -1) {
      const line = this.#buffer.slice(0, i);
      this.#buffer = this.#buffer.slice(i + 2);
      this.#lines.push(line);
      // The last line of a reply has a space (or nothing) after the code.
      if (line.length <= 3 || line[3] === ' ') {
        const reply = this.#lines.join('\n');
        this.#lines = [];
        const waiter = this.#waiters.shift();
        if (waiter) waiter.resolve(reply);
        else this.#replies.push(reply);
      }
    }
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** The next whole reply (multi-line replies joined with \n). */
  read(): Promise<string> {
    const ready = this.#replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const idx = this.#waiters.indexOf(waiter);
        if (idx !== -1) this.#waiters.splice(idx, 1);
        reject(new Error(`no SMTP reply within ${this.#replyTimeoutMs} ms`));
      }, this.#replyTimeoutMs);
      const waiter = {
        resolve: (r: string) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Writes raw bytes, nothing added. */
  write(bytes: string | Buffer): void {
    this.#socket.write(bytes);
  }

  /** Sends one command line (CRLF added) and returns its reply. */
  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.read();
  }

  async ehlo(name = 'client.test'): Promise<string> {
    return this.command(`EHLO ${name}`);
  }

  /** STARTTLS, then the TLS handshake on the same socket. */
  async startTls(ca?: string): Promise<string> {
    const reply = await this.command('STARTTLS');
    if (!reply.startsWith('220')) return reply;
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect(
        { socket: plain, servername: 'localhost', ...(ca === undefined ? { rejectUnauthorized: false } : { ca }) },
        () => resolve(s),
      );
      s.once('error', reject);
    });
    this.#socket = secure;
    this.#attach(secure);
    return reply;
  }

  async authPlain(login: string, password: string): Promise<string> {
    return this.command(`AUTH PLAIN ${Buffer.from(`\0${login}\0${password}`).toString('base64')}`);
  }

  async authLogin(login: string, password: string): Promise<string> {
    const first = await this.command('AUTH LOGIN');
    if (!first.startsWith('334')) return first;
    const second = await this.command(Buffer.from(login).toString('base64'));
    if (!second.startsWith('334')) return second;
    return this.command(Buffer.from(password).toString('base64'));
  }

  /** EHLO, STARTTLS, EHLO, AUTH PLAIN: the usual start of a submission session. */
  async signIn(login: string, password: string): Promise<string> {
    await this.ehlo();
    await this.startTls();
    await this.ehlo();
    return this.authPlain(login, password);
  }

  /**
   * One transaction. Returns every reply in order: MAIL, each RCPT, then DATA's 354 and the
   * final reply when DATA was accepted. `body` lines are CRLF-joined and dot-stuffed.
   */
  async sendMail(
    from: string,
    to: readonly string[],
    body: string,
  ): Promise<{ mail: string; rcpt: string[]; data?: string; final?: string }> {
    const mail = await this.command(`MAIL FROM:<${from}>`);
    const rcpt: string[] = [];
    if (!mail.startsWith('250')) return { mail, rcpt };
    for (const r of to) rcpt.push(await this.command(`RCPT TO:<${r}>`));
    if (!rcpt.some((r) => r.startsWith('250'))) {
      await this.command('RSET');
      return { mail, rcpt };
    }
    const data = await this.command('DATA');
    if (!data.startsWith('354')) return { mail, rcpt, data };
    const final = await this.sendData(body);
    return { mail, rcpt, data, final };
  }

  /** Sends a message body (after 354) with CRLF line endings and dot-stuffing, then waits for the reply. */
  async sendData(body: string): Promise<string> {
    const stuffed = body
      .split(/\r?\n/)
      .map((l) => (l.startsWith('.') ? `.${l}` : l))
      .join('\r\n');
    this.write(`${stuffed}\r\n.\r\n`);
    return this.read();
  }

  async quit(): Promise<void> {
    if (this.#closed) return;
    await this.command('QUIT').catch(() => undefined);
    this.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** A small RFC 5322 message with CRLF line endings. */
export function simpleMessage(
  from: string,
  to: readonly string[],
  subject: string,
  text = 'Hello from the test.',
): string {
  return [
    `From: <${from}>`,
    `To: ${to.map((t) => `<${t}>`).join(', ')}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
  ].join('\r\n');
}

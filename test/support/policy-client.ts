/**
 * A Postfix policy client over a real socket, as Postfix's check_policy_service is one: name=value
 * lines and an empty line per request, one reply block each (test/e2e/postfix-policy.test.ts,
 * test/e2e/stack-cache-invalidation.test.ts).
 */
import { connect, type Socket } from 'node:net';

/** One request as Postfix writes it (its attribute order, newline-terminated, empty line last). */
export function encode(attributes: Readonly<Record<string, string>>): string {
  return `${Object.entries(attributes)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('')}\n`;
}

/** A policy client as Postfix is one: one request, then wait for the reply. */
export class PolicyClient {
  readonly closed: Promise<void>;
  #buffer = '';
  #waiters: ((reply: string | null) => void)[] = [];
  #isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.#buffer += text;
      let end: number;
      while ((end = this.#buffer.indexOf('\n\n')) !== -1) {
        const reply = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        this.#waiters.shift()?.(reply);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.#isClosed = true;
        for (const w of this.#waiters.splice(0)) w(null);
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<PolicyClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new PolicyClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The next reply block, or null when the server closed the connection first. */
  next(): Promise<string | null> {
    if (this.#isClosed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  write(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  async ask(attributes: Readonly<Record<string, string>>): Promise<string | null> {
    const reply = this.next();
    this.write(encode(attributes));
    return reply;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

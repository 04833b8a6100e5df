/**
 * A small TCP proxy on 127.0.0.1 in front of a real service (Redis, PostgreSQL), for fault tests:
 * the node under test is pointed at the proxy, and the test makes the service go away or hang
 * without touching the real one (which other tests share).
 *
 * - forward (the start state): each accepted connection is piped to the target.
 * - pause(): the listener closes (new connections are refused, as when the service is down) and
 *   every open connection is cut at once.
 * - hang(): connections stay open and new ones are accepted, but no byte is passed on in either
 *   direction: a service that takes the connection and never answers.
 * - resume(): back to forwarding on the same port; connections held by hang() are cut, since the
 *   bytes they swallowed are gone and the client must reconnect.
 */
import net from 'node:net';

export type ProxyMode = 'forward' | 'paused' | 'hanging';

interface Link {
  readonly client: net.Socket;
  upstream: net.Socket | null;
}

export class TcpProxy {
  readonly #target: { readonly host: string; readonly port: number };
  readonly #links = new Set<Link>();
  #server: net.Server;
  #port = 0;
  #mode: ProxyMode = 'forward';
  #accepted = 0;
  #swallowed = 0;
  #onSwallow: (() => void)[] = [];

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = this.#createServer();
  }

  /** Starts a proxy on 127.0.0.1:0 in front of `target` (host:port, or a redis:// / postgres:// URL). */
  static async start(target: string | { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(typeof target === 'string' ? hostPortOf(target) : target);
    await proxy.#listen(0);
    return proxy;
  }

  /** The port the proxy listens on (the same across pause and resume). */
  get port(): number {
    return this.#port;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Connections accepted since start (including held ones while hanging). */
  get acceptedCount(): number {
    return this.#accepted;
  }

  /** Bytes from clients dropped while hanging. */
  get swallowedBytes(): number {
    return this.#swallowed;
  }

  /**
   * Resolves when a client has sent something the hanging service swallowed (a query or command
   * is now in flight), so a test can cut the connection in the middle of it without sleeping.
   */
  whenSwallowed(): Promise<void> {
    if (this.#swallowed > 0 && this.#mode === 'hanging') return Promise.resolve();
    return new Promise((resolve) => this.#onSwallow.push(resolve));
  }

  /** Open client connections right now. */
  get openCount(): number {
    return this.#links.size;
  }

  /** `url` with its host and port replaced by this proxy's (user, password, path and query kept). */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.#port);
    return u.toString();
  }

  /** The service is down: refuse new connections and cut every open one. */
  async pause(): Promise<void> {
    this.#mode = 'paused';
    this.#cutAll();
    await this.#closeListener();
  }

  /** The service hangs: accept and hold connections, pass nothing on (open connections freeze too). */
  async hang(): Promise<void> {
    const wasPaused = this.#mode === 'paused';
    this.#mode = 'hanging';
    this.#swallowed = 0;
    for (const link of this.#links) this.#freeze(link);
    if (wasPaused) await this.#listen(this.#port);
  }

  /** The service is back: forward again on the same port. */
  async resume(): Promise<void> {
    const wasPaused = this.#mode === 'paused';
    if (this.#mode === 'hanging') this.#cutAll();
    this.#mode = 'forward';
    if (wasPaused) await this.#listen(this.#port);
  }

  /** Stops listening and cuts every connection; safe to call twice. */
  async close(): Promise<void> {
    this.#mode = 'paused';
    this.#cutAll();
    await this.#closeListener();
  }

  #createServer(): net.Server {
    const server = net.createServer((client) => this.#onConnection(client));
    server.on('error', () => undefined);
    return server;
  }

  #onConnection(client: net.Socket): void {
    this.#accepted += 1;
    const link: Link = { client, upstream: null };
    this.#links.add(link);
    client.on('error', () => undefined);
    client.once('close', () => {
      this.#links.delete(link);
      link.upstream?.destroy();
    });
    if (this.#mode !== 'forward') {
      // Held: read and drop whatever the client sends, answer nothing.
      client.on('data', (chunk: Buffer) => this.#swallow(chunk));
      return;
    }
    const upstream = net.connect(this.#target);
    link.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  #freeze(link: Link): void {
    const { client, upstream } = link;
    if (upstream === null) return;
    client.unpipe(upstream);
    upstream.unpipe(client);
    // Keep both sides flowing into nowhere, so neither end sees back-pressure or an answer.
    client.on('data', (chunk: Buffer) => this.#swallow(chunk));
    upstream.on('data', () => undefined);
    client.resume();
    upstream.resume();
  }

  #swallow(chunk: Buffer): void {
    if (this.#mode !== 'hanging') return;
    this.#swallowed += chunk.length;
    for (const resolve of this.#onSwallow.splice(0)) resolve();
  }

  #cutAll(): void {
    for (const link of this.#links) {
      // resetAndDestroy (RST) where available: the client sees the connection die at once.
      link.client.resetAndDestroy();
      link.upstream?.destroy();
    }
    this.#links.clear();
  }

  #listen(port: number): Promise<void> {
    this.#server = this.#createServer();
    const server = this.#server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.off('error', onError);
        this.#port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  #closeListener(): Promise<void> {
    const server = this.#server;
    if (!server.listening) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

/** host and port of a service URL (default ports of Redis and PostgreSQL) or "host:port". */
function hostPortOf(target: string): { host: string; port: number } {
  if (!target.includes('://')) {
    const [host, port] = target.split(':');
    return { host: host || '127.0.0.1', port: Number(port) };
  }
  const u = new URL(target);
  const defaultPort = u.protocol.startsWith('redis') ? 6379 : 5432;
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

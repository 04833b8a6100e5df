/**
 * A next-hop SMTP sink on smtp-server for tests: it stores what it accepts, and can be told
 * to refuse every message with a 550, to hang after DATA, or be killed (all sockets cut).
 */
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
}

export type SinkMode = 'accept' | 'refuse' | 'hang';

export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  readonly messages: SinkMessage[];
  mode: SinkMode;
  /** The reply line used in 'refuse' mode. */
  refusal: string;
  /** Recipients refused at RCPT with `550 5.1.1 No such user (test)`. */
  readonly refusedRecipients: Set<string>;
  /**
   * Every byte each connection sent, one Buffer per connection, exactly as it came off the socket
   * (the stuffing dots still in), so a test can check the wire and not only smtp-server's reading.
   * Empty for a TLS sink.
   */
  wire(): Buffer[];
  /** Resolves when the sink has received `count` messages in total. */
  waitFor(count: number): Promise<void>;
  /** Cuts every connection and stops listening at once, like a crashed next hop. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(
  options: {
    auth?: { user: string; pass: string };
    /** Implicit TLS with this key and certificate (the URL becomes smtps://). */
    tls?: { key: string; cert: string };
  } = {},
): Promise<SmtpSink> {
  const sockets = new Set<Socket>();
  const received: Buffer[][] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const hung: (() => void)[] = [];
  const sink = {
    port: 0,
    url: '',
    messages: [] as SinkMessage[],
    mode: 'accept' as SinkMode,
    refusal: '550 5.7.1 Refused by the next hop (test)',
    refusedRecipients: new Set<string>(),
  };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    ...(options.tls === undefined ? {} : { secure: true, key: options.tls.key, cert: options.tls.cert }),
    disabledCommands: options.auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: options.auth === undefined,
    onAuth(auth, _session, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass)
        callback(null, { user: auth.username });
      else callback(Object.assign(new Error('5.7.8 Bad credentials'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (sink.refusedRecipients.has(address.address)) {
        callback(Object.assign(new Error('5.1.1 No such user (test)'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => undefined);
      stream.on('end', () => {
        if (sink.mode === 'hang') {
          hung.push(() => callback(new Error('gone')));
          return;
        }
        if (sink.mode === 'refuse') {
          callback(Object.assign(new Error(sink.refusal.slice(4)), { responseCode: Number(sink.refusal.slice(0, 3)) }));
          return;
        }
        sink.messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        for (const w of waiters.filter((x) => sink.messages.length >= x.count)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
        callback(null, 'Ok: stored by sink');
      });
    },
  });
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    // smtp-server has piped the socket to its parser already; a second reader sees the same chunks.
    // (Not under TLS: there the socket carries ciphertext, read by the TLS layer itself.)
    if (options.tls === undefined) {
      const chunks: Buffer[] = [];
      received.push(chunks);
      s.on('data', (c: Buffer) => chunks.push(c));
    }
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const auth =
    options.auth === undefined
      ? ''
      : `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      hung.splice(0);
      server.close(() => resolve());
    });
  return Object.assign(sink, {
    port,
    url: `${options.tls === undefined ? 'smtp' : 'smtps'}://${auth}127.0.0.1:${port}`,
    waitFor: (count: number) =>
      sink.messages.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    wire: () => received.map((chunks) => Buffer.concat(chunks)),
    kill: stop,
    close: stop,
  });
}

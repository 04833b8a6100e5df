import { pino, type Logger } from 'pino';

/** How log entries are written: JSON lines for collectors, or one readable line for a person at a terminal. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto` means pretty on a terminal and JSON elsewhere (a pipe, a file, a service manager). */
export function resolveLogFormat(format: LogFormat, isTty: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTty ? 'pretty' : 'json') : format;
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** One pino JSON line as a person reads it: `12:00:01 WARN message (key=value ...)`; the error's message, never its stack. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const { level, time, msg, err, ...rest } = entry;
  const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
  let head = [at, LEVELS[Number(level)] ?? String(level), typeof msg === 'string' ? msg : ''].filter(Boolean).join(' ');
  const errMessage = (err as { message?: unknown } | undefined)?.message;
  if (typeof errMessage === 'string') head += `: ${errMessage}`;
  const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${head}${extra.length ? ` (${extra.join(' ')})` : ''}`;
}

/** Bytes a JSON log destination gathers before it writes (at most LOG_FLUSH_MS later). */
export const LOG_BUFFER_BYTES = 4096;
/** The longest a JSON log line waits in the buffer. */
export const LOG_FLUSH_MS = 1000;

/**
 * Where JSON log lines go (a file descriptor or a file path): written together once 4 KB are
 * gathered or a second has passed, and synchronously when the process exits (a crash included).
 * Without the buffer each line was one write handed to libuv's thread pool; the Postfix policy
 * service logs every refusal, and those writes and their wake-ups cost about 10 us of CPU per
 * refused request (docs/benchmarks.md). What a SIGKILL can lose is the last second.
 */
export function logDestination(dest: number | string): GatheringDestination {
  return new GatheringDestination(pino.destination({ dest, minLength: 0, mkdir: typeof dest === 'string' }));
}

type Sink = ReturnType<typeof pino.destination>;

/** The destinations not ended yet. pino flushes each sink itself at exit; this hands it what is still gathered first. */
const gathering = new Set<GatheringDestination>();
process.on('exit', () => {
  for (const destination of gathering) destination.flushSync();
});

/**
 * The buffer in front of sonic-boom: lines wait in an array and go to the file joined, 4 KB at a
 * time, in one write. (sonic-boom's own minLength buffer appends each line to one growing string and
 * takes that string's byte length at every write, which flattens it: the buffer so far is copied at
 * each line, 2-5 kB allocated per line at 4 KB, 8.7 kB in a burst; docs/benchmarks.md.) sonic-boom
 * still does the writing: one write in flight, the rest queued, partial writes, EAGAIN, EPIPE.
 */
export class GatheringDestination {
  readonly #sink: Sink;
  readonly #timer: NodeJS.Timeout;
  #lines: string[] = [];
  /** UTF-16 units gathered: the bytes of ASCII lines, fewer than the bytes of others. */
  #size = 0;

  constructor(sink: Sink) {
    this.#sink = sink;
    this.#timer = setInterval(() => this.#hand(), LOG_FLUSH_MS);
    this.#timer.unref();
    gathering.add(this);
  }

  write(line: string): boolean {
    if (!gathering.has(this)) return false;
    this.#lines.push(line);
    this.#size += line.length;
    if (this.#size >= LOG_BUFFER_BYTES) this.#hand();
    return true;
  }

  /** Writes what is gathered; `done` once it is written (its error is the sink's, e.g. a pipe refusing fsync). */
  flush(done?: (err?: Error) => void): void {
    if (!gathering.has(this)) return done?.();
    this.#hand();
    this.#sink.flush(done ?? (() => undefined));
  }

  flushSync(): void {
    this.#hand();
    try {
      this.#sink.flushSync();
    } catch {
      // Closed, or not open yet: nothing more can be written from here.
    }
  }

  /** Writes what is gathered and closes the file (a closed server's log); later lines are dropped. */
  end(): Promise<void> {
    if (!gathering.delete(this)) return Promise.resolve();
    clearInterval(this.#timer);
    this.#hand();
    const closed = new Promise<void>((resolve) => {
      this.#sink.once('close', () => resolve());
      this.#sink.once('error', () => resolve());
    });
    this.#sink.end();
    return closed;
  }

  #hand(): void {
    if (this.#lines.length === 0) return;
    const text = this.#lines.join('');
    this.#lines = [];
    this.#size = 0;
    this.#sink.write(text);
  }
}

/** The process logger on stderr, secrets redacted, in the chosen format. */
export function createLogger(options: { level: string; format: LogFormat; isTty?: boolean }): Logger {
  const format = resolveLogFormat(options.format, options.isTty ?? Boolean(process.stderr.isTTY));
  const destination =
    format === 'json'
      ? logDestination(2)
      : { write: (line: string) => void process.stderr.write(`${prettyLine(line)}\n`) };
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: {
        paths: ['password', '*.password', 'temporaryPassword', '*.temporaryPassword', 'secret', 'token'],
        remove: true,
      },
    },
    destination,
  );
}

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the checkpointer copies the WAL into the database file. A PASSIVE checkpoint with
 * nothing new to copy returns at once; with new frames it costs one write and two fsyncs, on the
 * worker's thread.
 */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * The main connection's own automatic checkpoint while a checkpointer runs: a safety net only
 * (about 40 MB of WAL), should the worker fall behind. SQLite's default is 1,000 pages.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** SQLite's default wal_autocheckpoint, restored when the checkpointer stops on its own. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

/** What the server's connection needs of the checkpointer. */
export interface Checkpointer {
  /** Frames copied into the database file so far (for tests and metrics). */
  readonly framesCheckpointed: number;
  /** True while the worker runs; false after stop() or after it failed (then the main connection checkpoints again). */
  readonly running: boolean;
  stop(): Promise<void>;
}

/**
 * The worker's whole program: its own connection to the file, a PASSIVE checkpoint every
 * interval (never blocking the server's readers or writer), the frames copied posted back.
 * CommonJS text run with `eval`, so it needs no file of its own next to the built code or tsx.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r && r.checkpointed > 0) parentPort.postMessage({ checkpointed: r.checkpointed });
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves SQLite's WAL checkpoints off the event loop. With the default wal_autocheckpoint, the
 * COMMIT that fills the WAL to 1,000 pages copies them into the database file and fsyncs it on
 * the main thread: measured in the policy service, 26 of 1,604 commits took over 1 ms (211 ms
 * in all, one 14.7 ms), and every request waited behind them. Here a worker thread with its own
 * connection checkpoints every second, and the main connection's own checkpoint becomes a safety
 * net (FALLBACK_AUTOCHECKPOINT_PAGES). If the worker fails, `setAutocheckpoint` puts SQLite's
 * default back: checkpoints return to the commits, nothing is lost either way.
 */
export function startCheckpointer(
  file: string,
  setAutocheckpoint: (pages: number) => void,
  options: {
    /** Default CHECKPOINT_INTERVAL_MS. */
    readonly intervalMs?: number;
    /** Told once, with why, when the worker fails and the commits checkpoint again (a server logs it). */
    readonly onFailure?: ((reason: string) => void) | undefined;
  } = {},
): Checkpointer {
  const { intervalMs = CHECKPOINT_INTERVAL_MS, onFailure } = options;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  let frames = 0;
  let running = true;
  setAutocheckpoint(FALLBACK_AUTOCHECKPOINT_PAGES);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = (reason: string) => {
    if (!running) return;
    running = false;
    setAutocheckpoint(DEFAULT_AUTOCHECKPOINT_PAGES);
    onFailure?.(reason);
  };
  worker.on('message', (m: { checkpointed?: number }) => {
    if (typeof m.checkpointed === 'number') frames += m.checkpointed;
  });
  // A failed worker (the file removed, the driver refusing to load): the main connection checkpoints again.
  worker.on('error', (err) => fallBack(describeWorkerError(err)));
  worker.on('exit', (code) => fallBack(`its thread exited (code ${code})`));
  return {
    get framesCheckpointed() {
      return frames;
    },
    get running() {
      return running;
    },
    async stop() {
      if (!running) return;
      running = false;
      // Held again while it closes: an unref'd worker would let the process end with stop() unsettled.
      worker.ref();
      worker.postMessage('stop');
      const force = setTimeout(() => void worker.terminate(), 2_000);
      force.unref();
      await exited;
      clearTimeout(force);
    },
  };
}

/**
 * A worker's error as one phrase. An error thrown in a worker reaches this thread as a structured
 * clone: a built-in Error keeps its message, but better-sqlite3's SqliteError arrives as a plain
 * object holding only its `code` (SQLITE_CANTOPEN).
 */
function describeWorkerError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  if (typeof e?.message === 'string' && e.message !== '') return e.message;
  if (typeof e?.code === 'string') return e.code;
  return String(err);
}

import type { MessageRecord } from '../../core/sending/message-record.js';
import type { MessageLog } from '../../ports/stores.js';

export interface BatchLogger {
  error(obj: object, msg?: string): void;
}

/**
 * Keeps the message log off the SMTP hot path: `add` only queues; a timer (every `everyMs`) or a
 * full batch (`batchSize`) writes the queue with one multi-row insert. A failed batch is logged,
 * not retried (the message itself was already relayed or refused; the log is evidence, not mail).
 */
export class BatchedMessageWriter {
  readonly #log: MessageLog;
  readonly #logger: BatchLogger;
  readonly #batchSize: number;
  readonly #pending: MessageRecord[] = [];
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(log: MessageLog, logger: BatchLogger, options: { everyMs?: number; batchSize?: number } = {}) {
    this.#log = log;
    this.#logger = logger;
    this.#batchSize = options.batchSize ?? 500;
    this.#timer = setInterval(() => void this.flush(), options.everyMs ?? 1000);
    this.#timer.unref();
  }

  add(record: MessageRecord): void {
    this.#pending.push(record);
    if (this.#pending.length >= this.#batchSize) void this.flush();
  }

  /** Writes everything queued so far; resolves when it is stored (or logged as lost). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#batchSize);
        try {
          await this.#log.insertMany(batch);
        } catch (err) {
          this.#logger.error({ err, lost: batch.length }, 'message log batch could not be written');
        }
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

import { createHmac } from 'node:crypto';
import type { Webhook } from '../../ports/mailer.js';

export interface WebhookLogger {
  warn(obj: object, msg?: string): void;
}

/** Seconds between attempts: 1 s, 5 s, 30 s, 2 min, 10 min; then the event is dropped and logged. */
const BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

/**
 * POSTs events as JSON with `X-Sendwarden-Signature: sha256=<hex HMAC of the body>` and
 * `X-Sendwarden-Timestamp`, retrying with back-off on errors and non-2xx answers. Delivery runs
 * in the background; `deliver` resolves when the first attempt is queued.
 */
export class SignedWebhook implements Webhook {
  readonly #url: string;
  readonly #secret: string;
  readonly #logger: WebhookLogger;
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(url: string, secret: string, logger: WebhookLogger) {
    this.#url = url;
    this.#secret = secret;
    this.#logger = logger;
  }

  async deliver(event: {
    readonly type: string;
    readonly at: Date;
    readonly data: Readonly<Record<string, unknown>>;
  }): Promise<void> {
    const body = JSON.stringify({ type: event.type, at: event.at.toISOString(), data: event.data });
    void this.#attempt(body, 0);
  }

  async #attempt(body: string, n: number): Promise<void> {
    if (this.#closed) return;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', this.#secret).update(`${timestamp}.${body}`).digest('hex');
    try {
      const res = await fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sendwarden-timestamp': timestamp,
          'x-sendwarden-signature': `sha256=${signature}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return;
      throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      const delay = BACKOFF_MS[n];
      if (delay === undefined) {
        this.#logger.warn(
          { url: this.#url, err: (err as Error).message },
          'webhook delivery failed for good; event dropped',
        );
        return;
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.#attempt(body, n + 1);
      }, delay);
      timer.unref();
      this.#timers.add(timer);
    }
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

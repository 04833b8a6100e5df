import { createHmac } from 'node:crypto';
import type { Webhook } from '../../ports/mailer.js';

/** How long one POST may take before it counts as failed. */
const TIMEOUT_MS = 10_000;

/**
 * POSTs events as JSON with `X-Sendwarden-Signature: sha256=<hex HMAC of "<timestamp>.<body>">`
 * and `X-Sendwarden-Timestamp` (seconds). One attempt per call: the alert outbox owns retries,
 * so a restart never drops one that is due.
 */
export class SignedWebhook implements Webhook {
  readonly #url: string;
  readonly #secret: string;

  constructor(url: string, secret: string) {
    this.#url = url;
    this.#secret = secret;
  }

  async deliver(event: {
    readonly type: string;
    readonly at: Date;
    readonly data: Readonly<Record<string, unknown>>;
  }): Promise<void> {
    const body = JSON.stringify({ type: event.type, at: event.at.toISOString(), data: event.data });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', this.#secret).update(`${timestamp}.${body}`).digest('hex');
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sendwarden-timestamp': timestamp,
          'x-sendwarden-signature': `sha256=${signature}`,
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: unknown } }).cause;
      const why = typeof cause?.code === 'string' ? cause.code : (err as Error).message;
      throw new Error(`the webhook ${this.#url} could not be reached (${why})`, { cause: err });
    }
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the webhook ${this.#url} answered HTTP ${res.status}`);
  }
}

import http from 'node:http';
import https from 'node:https';
import type { MessageScanner, ScanRequest, ScanResult } from '../../ports/content-scorer.js';
import { parseCheckReply } from './rspamd-reply.js';

/** How the Rspamd client is set up (main.ts hands in the config's slice). */
export interface RspamdOptions {
  /** The normal worker, e.g. http://127.0.0.1:11333 */
  readonly url: string;
  readonly password?: string | undefined;
  /** Longest wait for one answer, connect to last byte, in ms. */
  readonly timeoutMs: number;
  readonly settingsId?: string | undefined;
  /** Larger messages are not sent (Rspamd's own limit); they get the `skipped` result. */
  readonly maxBytes: number;
  /** The controller, e.g. http://127.0.0.1:11334, for learnham / learnspam. */
  readonly controllerUrl?: string | undefined;
}

/** The longest answer we read: a verdict is a few KB; more is not a verdict. */
const MAX_REPLY_BYTES = 1024 * 1024;
const SCANNER = 'rspamd';

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Rspamd's HTTP protocol (`POST /checkv2`, https://rspamd.com/doc/developers/protocol.html) over a
 * keep-alive pool. Never throws from scan(): a refused connection, a timeout, an HTTP error or an
 * answer that is not a verdict is the `unavailable` result, returned within `timeoutMs`.
 */
export class RspamdScorer implements MessageScanner {
  readonly #o: RspamdOptions;
  readonly #agent: http.Agent;

  constructor(options: RspamdOptions) {
    this.#o = options;
    const isTls = new URL(options.url).protocol === 'https:';
    // Kept-alive sockets save a TCP handshake per message; 64 covers the gateway's parallel DATA phases.
    const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' as const };
    this.#agent = isTls ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  async scan(request: ScanRequest): Promise<ScanResult> {
    if (request.raw.byteLength > this.#o.maxBytes) {
      return {
        state: 'skipped',
        scanner: SCANNER,
        reason: `${request.raw.byteLength} bytes exceed the ${this.#o.maxBytes} bytes sent to Rspamd`,
      };
    }
    const headers: Record<string, string | string[]> = {
      From: headerValue(request.mailFrom || '<>'),
      Rcpt: request.recipients.map(headerValue),
      User: headerValue(request.user),
      'Queue-Id': headerValue(request.queueId),
    };
    if (request.clientAddress) headers['IP'] = headerValue(request.clientAddress);
    if (request.helo) headers['Helo'] = headerValue(request.helo);
    if (this.#o.settingsId) headers['Settings-Id'] = this.#o.settingsId;
    if (this.#o.password) headers['Password'] = headerValue(this.#o.password);
    let answer: HttpAnswer;
    try {
      answer = await this.#post(new URL('/checkv2', this.#o.url), headers, request.raw);
    } catch (err) {
      return { state: 'unavailable', scanner: SCANNER, reason: describeFailure(err) };
    }
    if (answer.status !== 200) {
      return { state: 'unavailable', scanner: SCANNER, reason: `Rspamd answered HTTP ${answer.status}` };
    }
    return parseCheckReply(answer.body, SCANNER);
  }

  /** GET /ping: true when Rspamd answers "pong" within the timeout (for /healthz). */
  async ping(): Promise<boolean> {
    try {
      const answer = await this.#request('GET', new URL('/ping', this.#o.url), {}, undefined);
      return answer.status === 200 && answer.body.trim() === 'pong';
    } catch {
      return false;
    }
  }

  /**
   * Teaches Rspamd's classifier through the controller: `ham` for a restriction an admin marked a
   * false positive, `spam` for a confirmed hijack. Resolves with the controller's answer; throws when
   * no controller is configured, it cannot be asked within the timeout, or it refuses.
   */
  async learn(kind: 'ham' | 'spam', raw: Uint8Array): Promise<string> {
    if (!this.#o.controllerUrl)
      throw new Error('No Rspamd controller is configured (SENDWARDEN_RSPAMD_CONTROLLER_URL).');
    const headers: Record<string, string> = {};
    if (this.#o.password) headers['Password'] = headerValue(this.#o.password);
    const answer = await this.#post(new URL(`/learn${kind}`, this.#o.controllerUrl), headers, raw);
    // 208: Rspamd already learned this message; that is the state we wanted.
    if (answer.status !== 200 && answer.status !== 208) {
      throw new Error(`Rspamd's controller refused learn${kind}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    return answer.status === 208 ? 'already learned' : answer.body.trim().slice(0, 200);
  }

  close(): void {
    this.#agent.destroy();
  }

  #post(url: URL, headers: Record<string, string | string[]>, body: Uint8Array): Promise<HttpAnswer> {
    return this.#request('POST', url, { ...headers, 'Content-Length': String(body.byteLength) }, body);
  }

  #request(
    method: string,
    url: URL,
    headers: Record<string, string | string[]>,
    body: Uint8Array | undefined,
  ): Promise<HttpAnswer> {
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let isDone = false;
      const finish = (err: Error | null, answer?: HttpAnswer) => {
        if (isDone) return;
        isDone = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(answer!);
      };
      const req = lib.request(url, { method, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) {
            req.destroy(new Error(`an answer over ${MAX_REPLY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => finish(err));
      });
      // One deadline for connect, upload and answer: the SMTP client never waits longer than this plus the relay.
      const timer = setTimeout(() => {
        const err = new Error(`no answer within ${this.#o.timeoutMs} ms`);
        finish(err);
        req.destroy(err);
      }, this.#o.timeoutMs);
      req.on('error', (err) => finish(err));
      req.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
  }
}

/** Header values from the client (HELO, addresses) must not carry control characters into the request. */
function headerValue(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 998);
}

function describeFailure(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  return `Rspamd cannot be asked (${code}${String(e.message ?? err)})`;
}

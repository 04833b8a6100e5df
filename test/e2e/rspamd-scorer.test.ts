/**
 * The Rspamd client against a real Rspamd and against small local HTTP servers that answer
 * wrongly or late (issue 15, "Bad input"). If this fails, a broken or slow Rspamd reads as
 * "clean" (spam goes out unjudged while nobody notices) or holds every SMTP client past the timeout.
 *
 * Fakes: the misbehaving servers below are tiny node:http servers on 127.0.0.1 port 0; Rspamd
 * itself is the real Debian daemon (test/support/rspamd.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RspamdScorer } from '../../src/adapters/rspamd/rspamd-scorer.js';
import type { ScanRequest } from '../../src/ports/content-scorer.js';
import { createRspamd, GTUBE, type RspamdInstance } from '../support/rspamd.js';

const message = (text: string) =>
  Buffer.from(`From: <rob@contoso.com>\r\nTo: <a@fabrikam.com>\r\nSubject: t\r\n\r\n${text}\r\n`);

const request = (raw: Uint8Array): ScanRequest => ({
  raw,
  mailFrom: 'rob@contoso.com',
  recipients: ['a@fabrikam.com', 'b@fabrikam.com'],
  clientAddress: '192.0.2.7',
  user: 'rob@contoso.com',
  helo: 'laptop.contoso.com\r\nX-Injected: 1',
  queueId: 'q-1',
});

let rspamd: RspamdInstance;
const servers: http.Server[] = [];
const scorers: RspamdScorer[] = [];

function scorer(url: string, timeoutMs = 1000, maxBytes = 20 * 1024 * 1024): RspamdScorer {
  const s = new RspamdScorer({ url, timeoutMs, maxBytes, password: 'pw', settingsId: 'submission' });
  scorers.push(s);
  return s;
}

/** A local HTTP server answering every request with `handler`; resolves to its URL. */
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  rspamd = await createRspamd();
  await rspamd.start();
}, 90_000);

afterAll(async () => {
  for (const s of scorers) s.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await rspamd?.dispose();
});

describe('RspamdScorer against a real Rspamd', { timeout: 30_000 }, () => {
  it('reads GTUBE as reject with the GTUBE symbol, and a clean message as no action', async () => {
    const s = scorer(rspamd.url);
    expect(await s.scan(request(message(GTUBE)))).toMatchObject({
      state: 'scored',
      scanner: 'rspamd',
      action: 'reject',
      symbols: [expect.objectContaining({ name: 'GTUBE' })],
    });
    expect(await s.scan(request(message('Lunch at noon?')))).toMatchObject({ state: 'scored', action: 'no-action' });
  });

  it('gives a clear verdict on a message Rspamd cannot parse as MIME', async () => {
    const broken = Buffer.from('\x00\x01\xff not a message at all\r\nContent-Type: multipart/mixed; boundary=\r\n');
    expect((await scorer(rspamd.url).scan(request(broken))).state).toBe('scored');
  });

  it('does not send a message over its size limit (Rspamd refuses them): skipped, so the built-in scorer decides', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024, 'a');
    expect(await scorer(rspamd.url, 1000, 20 * 1024 * 1024).scan(request(big))).toMatchObject({ state: 'skipped' });
  });

  it('teaches ham and spam through the controller', async () => {
    const s = new RspamdScorer({
      url: rspamd.url,
      timeoutMs: 2000,
      maxBytes: 1024 * 1024,
      password: rspamd.password,
      controllerUrl: rspamd.controllerUrl,
    });
    scorers.push(s);
    // The controller's own answer comes back (the caller audits it).
    await expect(s.learn('ham', message('A normal note.'))).resolves.toMatch(/"success":\s*true/);
    const wrong = new RspamdScorer({
      url: rspamd.url,
      timeoutMs: 2000,
      maxBytes: 1024,
      password: 'wrong',
      controllerUrl: rspamd.controllerUrl,
    });
    scorers.push(wrong);
    await expect(wrong.learn('spam', message(GTUBE))).rejects.toThrow(/refused learnspam: HTTP 401/);
  });
});

describe(
  'RspamdScorer when Rspamd misbehaves: never clean by accident, never past the timeout',
  { timeout: 30_000 },
  () => {
    it('sends the envelope headers Rspamd wants, one Rcpt per recipient, with control characters removed', async () => {
      let seen: http.IncomingHttpHeaders = {};
      let rawRcpt: string[] = [];
      const url = await serve((req, res) => {
        seen = req.headers;
        rawRcpt = req.rawHeaders.filter((_, i, a) => i % 2 === 1 && a[i - 1] === 'Rcpt');
        req.resume();
        req.on('end', () => res.end('{"action":"no action","score":0,"message-id":"undef","symbols":{}}'));
      });
      expect((await scorer(url).scan(request(message('hi')))).state).toBe('scored');
      expect(seen).toMatchObject({
        from: 'rob@contoso.com',
        ip: '192.0.2.7',
        user: 'rob@contoso.com',
        helo: 'laptop.contoso.com??X-Injected: 1',
        'queue-id': 'q-1',
        'settings-id': 'submission',
        password: 'pw',
      });
      expect(rawRcpt).toEqual(['a@fabrikam.com', 'b@fabrikam.com']);
    });

    const garbage: [string, http.RequestListener][] = [
      ['an empty body', (_q, res) => res.end('')],
      ['an HTML page', (_q, res) => res.end('<html><body>502 Bad Gateway</body></html>')],
      // What Rspamd itself answers to a GET or to a POST whose body got lost on the way:
      [
        'a verdict for no message',
        (_q, res) => res.end('{"is_skipped":false,"score":0.0,"action":"no action","symbols":{}}'),
      ],
      ['JSON without an action', (_q, res) => res.end('{"score":0,"message-id":"x"}')],
      ['an unknown action', (_q, res) => res.end('{"action":"accept","score":0,"message-id":"x"}')],
      [
        'an error',
        (_q, res) => res.end('{"error":"Message is too big","message-id":"x","action":"no action","score":0}'),
      ],
      [
        'HTTP 500',
        (_q, res) => {
          res.statusCode = 500;
          res.end('{"action":"no action","score":0,"message-id":"x"}');
        },
      ],
    ];
    for (const [what, handler] of garbage) {
      it(`reads ${what} as unavailable`, async () => {
        const url = await serve((req, res) => {
          req.resume();
          req.on('end', () => handler(req, res));
        });
        expect(await scorer(url).scan(request(message('hi')))).toMatchObject({
          state: 'unavailable',
          scanner: 'rspamd',
        });
      });
    }

    it('gives up on a slow Rspamd at the timeout', async () => {
      const url = await serve((req, res) => {
        req.resume();
        setTimeout(() => res.end('{"action":"reject","score":20,"message-id":"x"}'), 5000).unref();
      });
      const started = Date.now();
      const result = await scorer(url, 300).scan(request(message('hi')));
      const waited = Date.now() - started;
      expect(result).toMatchObject({ state: 'unavailable', reason: expect.stringMatching(/no answer within 300 ms/) });
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(1500);
    });

    it('reads a refused connection as unavailable at once', async () => {
      const url = await serve(() => undefined);
      servers.at(-1)!.close();
      expect(await scorer(url).scan(request(message('hi')))).toMatchObject({ state: 'unavailable' });
    });
  },
);

/**
 * `sendwarden serve` with PostgreSQL or Redis down (nothing listens) or hanging (takes the
 * connection, never answers): the process exits non-zero within a bounded time with one sentence
 * on stderr that names the service and its address, and no stack trace. If this fails, an
 * operator starting the server sees it hang, crash with a trace, or blame the wrong thing.
 *
 * Fakes: none. The real CLI as a child process (test/support/cli.ts); the services are
 * test/support/tcp-proxy.ts instances in front of the real PostgreSQL and Redis, paused or hanging.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, runSendwarden } from '../support/cli.js';
import { HAS_POSTGRES, HAS_REDIS, POSTGRES_URL, REDIS_URL } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** Node with tsx takes a few seconds to load the app on a loaded two-core machine; the wait itself is at most 5 s. */
const EXIT_BOUND_MS = 30_000;

interface Case {
  readonly name: string;
  readonly service: 'postgres' | 'redis';
  readonly fault: 'down' | 'hang';
  readonly sentence: (port: number) => RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'PostgreSQL down',
    service: 'postgres',
    fault: 'down',
    sentence: (port) =>
      new RegExp(
        `^error: The database at 127\\.0\\.0\\.1:${port}/postgres does not answer \\(ECONNREFUSED\\)\\. Check that PostgreSQL is running and that DATABASE_URL points at it\\. \\(STORE_UNAVAILABLE\\)$`,
      ),
  },
  {
    name: 'PostgreSQL hanging',
    service: 'postgres',
    fault: 'hang',
    sentence: (port) =>
      new RegExp(
        `^error: The database at 127\\.0\\.0\\.1:${port}/postgres does not answer \\(timeout\\)\\. Check that PostgreSQL is running and that DATABASE_URL points at it\\. \\(STORE_UNAVAILABLE\\)$`,
      ),
  },
  {
    name: 'Redis down',
    service: 'redis',
    fault: 'down',
    sentence: (port) =>
      new RegExp(
        `^error: Redis at 127\\.0\\.0\\.1:${port} does not answer \\(ECONNREFUSED\\)\\. Check that Redis is running and that REDIS_URL points at it\\. \\(COUNTERS_UNAVAILABLE\\)$`,
      ),
  },
  {
    name: 'Redis hanging',
    service: 'redis',
    fault: 'hang',
    sentence: (port) =>
      new RegExp(
        `^error: Redis at 127\\.0\\.0\\.1:${port} does not answer \\(no answer within \\d+ ms\\)\\. Check that Redis is running and that REDIS_URL points at it\\. \\(COUNTERS_UNAVAILABLE\\)$`,
      ),
  },
];

describe.skipIf(!HAS_POSTGRES || !HAS_REDIS)('serve with a service down or hanging', () => {
  const proxies: TcpProxy[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    for (const c of CASES) {
      const proxy = await TcpProxy.start(c.service === 'postgres' ? POSTGRES_URL : REDIS_URL);
      proxies.push(proxy);
      if (c.fault === 'down') await proxy.pause();
      else await proxy.hang();
      dirs.push(await mkdtemp(path.join(os.tmpdir(), 'sw-fault-start-')));
    }
  });

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it(
    'exits non-zero within a bounded time with one sentence naming the service and its address',
    { timeout: CLI_TEST_TIMEOUT_MS },
    async () => {
      // All four at once: each child mostly waits (a refused connect, or a connect timeout).
      const results = await Promise.all(
        CASES.map(async (c, i) => {
          const proxy = proxies[i]!;
          const env: Record<string, string> = {
            SENDWARDEN_DATA_DIR: dirs[i]!,
            SENDWARDEN_HTTP_PORT: '0',
            SENDWARDEN_SMTP_PORT: '0',
            ...(c.service === 'postgres'
              ? { DATABASE_URL: proxy.urlFor(POSTGRES_URL) }
              : { REDIS_URL: proxy.urlFor(REDIS_URL) }),
          };
          const started = performance.now();
          const result = await runSendwarden(['serve'], env, { timeoutMs: EXIT_BOUND_MS + 10_000 });
          return { c, port: proxy.port, result, elapsed: performance.now() - started };
        }),
      );
      for (const { c, port, result, elapsed } of results) {
        const lines = result.stderr.trim().split('\n');
        expect({ case: c.name, code: result.code, signal: result.signal, lines }).toEqual({
          case: c.name,
          code: 69,
          signal: null,
          lines: [expect.stringMatching(c.sentence(port))],
        });
        expect(result.stdout).not.toMatch(/Sendwarden is running/);
        expect(elapsed, c.name).toBeLessThan(EXIT_BOUND_MS);
      }
    },
  );
});

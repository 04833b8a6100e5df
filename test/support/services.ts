import net from 'node:net';

export const POSTGRES_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function tcpAnswers(url: string, defaultPort: number): Promise<string | null> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) });
    const done = (err: string | null) => {
      socket.destroy();
      resolve(err);
    };
    socket.setTimeout(1500, () => done('no answer within 1.5 s'));
    socket.once('connect', () => done(null));
    socket.once('error', (e) => done(e.message));
  });
}

/** Whether PostgreSQL and Redis answer on their test URLs. */
export async function probeServices() {
  const [pgErr, redisErr] = await Promise.all([tcpAnswers(POSTGRES_URL, 5432), tcpAnswers(REDIS_URL, 6379)]);
  return {
    postgres: pgErr === null,
    postgresUrl: POSTGRES_URL,
    postgresError: pgErr,
    redis: redisErr === null,
    redisUrl: REDIS_URL,
    redisError: redisErr,
  };
}

/** Top-level-await friendly flags for `describe.skipIf(!HAS_POSTGRES)`. In CI a missing service already failed global setup. */
const probe = await probeServices();
export const HAS_POSTGRES = probe.postgres;
export const HAS_REDIS = probe.redis;

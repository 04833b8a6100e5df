import { DomainError } from '../../core/errors.js';
import { RedisCounters } from './redis-counters.js';

/**
 * Redis at start-up. The counters' own message speaks of deferred mail (right for a running node);
 * an operator starting one needs the service named, its address, and what to check.
 */
export async function connectRedis(url: string, keyPrefix: string): Promise<RedisCounters> {
  try {
    return await RedisCounters.connect({ url, keyPrefix });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'COUNTERS_UNAVAILABLE') throw err;
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    const reason = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? 'no answer');
    let where = 'the address in REDIS_URL';
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || '6379'}`;
    } catch {
      // loadConfig already refused a URL that does not parse; keep the generic words.
    }
    throw new DomainError(
      'COUNTERS_UNAVAILABLE',
      `Redis at ${where} does not answer (${reason}). Check that Redis is running and that REDIS_URL points at it.`,
      { cause: err },
    );
  }
}

/**
 * Runs once before the suite: builds the portal, then probes the services. On a newcomer's machine without PostgreSQL or Redis the
 * suites that need them skip, and this prints one line saying what was skipped and why.
 * In CI (SENDWARDEN_REQUIRE_SERVICES=1, set by .ci/run) a missing service fails the run.
 */
import { buildPortal } from './build-portal.js';
import { probeServices } from './services.js';

export default async function setup(): Promise<void> {
  // Once, before any test file runs: the browser tests serve dist/portal (see build-portal.ts).
  await buildPortal();
  const probe = await probeServices();
  const missing = [
    probe.postgres ? null : `PostgreSQL (${probe.postgresUrl}): ${probe.postgresError}`,
    probe.redis ? null : `Redis (${probe.redisUrl}): ${probe.redisError}`,
  ].filter(Boolean);
  if (missing.length === 0) return;
  if (process.env['SENDWARDEN_REQUIRE_SERVICES'] === '1') {
    throw new Error(`SENDWARDEN_REQUIRE_SERVICES=1 but these services do not answer: ${missing.join('; ')}`);
  }
  console.warn(
    `[sendwarden] skipping the suites that need ${missing.join('; ')} (set TEST_DATABASE_URL / TEST_REDIS_URL or start them to run everything)`,
  );
}

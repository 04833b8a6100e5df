/**
 * A real Sendwarden for the browser tests: SQLite in a temp data folder, in-process counters, the
 * capture outbox, HTTP and SMTP on port 0, the built portal served at /. Seeds the first admin and
 * the demo tenant (rob, megan, alex, adele, lee, diego) exactly as `npx sendwarden serve --demo` does.
 * Also runnable by hand to look at the portal (after `npm run build`): `node --import tsx test/browser/portal-server.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { BrowserContext } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/adapters/http/route.js';
import { loadConfig } from '../../src/config.js';
import { seedDemoTenant } from '../../src/core/demo/demo-tenant.js';
import { ensureFirstAdmin } from '../../src/core/directory/first-run.js';
import type { Principal } from '../../src/core/roles/principal.js';
import type { Clock } from '../../src/ports/clock.js';
import { buildApp, startServers } from '../../src/main.js';
import type { App } from '../../src/main.js';

export interface PortalServer {
  /** Base URL with no trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The SMTP submission port (STARTTLS; AUTH PLAIN/LOGIN), for checks a mail program would make. */
  readonly smtpPort: number;
  readonly app: App;
  readonly adminEmail: string;
  /** The first admin's one-time password (must be changed at first sign-in). */
  readonly adminPassword: string;
  readonly system: Principal;
  close(): Promise<void>;
}

/** `clock`: a test that needs entries on given days moves the server's time by hand (FakeClock). */
export interface PortalServerOptions {
  readonly clock?: Clock;
}

export async function startPortalServer(options: PortalServerOptions = {}): Promise<PortalServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sw-portal-'));
  try {
    const config = loadConfig({
      SENDWARDEN_DATA_DIR: dataDir,
      SENDWARDEN_HTTP_PORT: '0',
      SENDWARDEN_SMTP_PORT: '0',
      SENDWARDEN_HOST: '127.0.0.1',
      SENDWARDEN_ADMIN: 'admin@contoso.com',
      SENDWARDEN_LOG_LEVEL: 'warn',
      // The whole browser suite signs in from 127.0.0.1; the per-address limit has its own HTTP test.
      SENDWARDEN_SIGN_IN_PER_MINUTE: '1000',
    });
    const app = await buildApp(config, pino({ level: 'warn' }), { clock: options.clock });
    const system: Principal = {
      actor: { kind: 'system', id: 'system', label: 'browser test' },
      roles: ['global-admin'],
      userId: null,
    };
    const first = await ensureFirstAdmin(system, app.directory, config.admin);
    if (first === null) throw new Error('A fresh data folder must create the first admin.');
    await seedDemoTenant(system, app.directory, app.restrictions);
    const servers = await startServers(app);
    let closed = false;
    return {
      url: servers.httpUrl.replace(/\/$/, ''),
      smtpPort: servers.smtpPort,
      app,
      adminEmail: first.email,
      adminPassword: first.password,
      system,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await servers.close();
          await app.close();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** The extra global admin every browser test signs in as (no TOTP yet: enrolment is postponed). */
export const OPS = { email: 'ops@contoso.com', password: 'amber kettle orbit violin 73' } as const;

/**
 * The browser tests' common set-up (the global setup built the portal once): start a server with the demo tenant, and add
 * the global admin {@link OPS} with a password that need not be changed.
 */
export async function startPortalWithAdmin(options: PortalServerOptions = {}): Promise<PortalServer> {
  const server = await startPortalServer(options);
  try {
    const ops = await server.app.directory.addUser(server.system, {
      email: OPS.email,
      displayName: 'Ops Admin',
      roles: ['global-admin'],
    });
    await server.app.directory.resetPassword(server.system, ops.id, {
      password: OPS.password,
      mustChangePassword: false,
    });
    return server;
  } catch (err) {
    await server.close();
    throw err;
  }
}

/**
 * A session opened by the real session service, TOTP enrolment postponed as the form's Postpone
 * does, and its cookie put in the browser context. For tests about a page, not about signing in.
 */
export async function signInContext(
  server: PortalServer,
  context: BrowserContext,
  user: { email: string; password: string } = OPS,
): Promise<void> {
  const started = await server.app.sessions.signIn({ ...user, address: '127.0.0.1', userAgent: null });
  const { session } = await server.app.sessions.postponeEnrolment(started, '127.0.0.1');
  if (!session.mfaDone) throw new Error(`${user.email}: the session did not pass the second-factor step.`);
  await context.addCookies([
    { name: SESSION_COOKIE, value: started.cookie, url: server.url, httpOnly: true, sameSite: 'Strict' },
  ]);
}

if (process.argv[1] !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const server = await startPortalServer();
  console.log(`Portal: ${server.url}/  admin: ${server.adminEmail}  one-time password: ${server.adminPassword}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * The whole node in this process, as `sendwarden serve` wires it (buildApp + startServers on a
 * fresh data folder), plus the real CLI as a child process on the same store. The in-process
 * servers listen on port 0; the CLI child is told the ports they got, so `demo hijack` reaches
 * the same gateway. Nothing is faked: real SQLite file (or PostgreSQL when env has DATABASE_URL),
 * real sockets, real argon2. The logger is pino at level silent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { seedDemoTenant } from '../../src/core/demo/demo-tenant.js';
import { ensureFirstAdmin } from '../../src/core/directory/first-run.js';
import type { Principal } from '../../src/core/roles/principal.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Role } from '../../src/core/roles/roles.js';
import { buildApp, startServers, type App, type Servers } from '../../src/main.js';
import { runSendwarden, type CliOptions, type CliResult } from './cli.js';
import { STRONG } from './builders.js';

/** The principal `serve` uses on first run: the system with global-admin rights. */
export const SYSTEM_PRINCIPAL: Principal = {
  actor: { kind: 'system', id: 'system', label: 'Sendwarden (e2e stack)' },
  roles: ['global-admin'],
  userId: null,
};

export interface StackOptions {
  /** Seed contoso.com as `serve --demo` does. */
  readonly demo?: boolean;
  /** More SENDWARDEN_* (or DATABASE_URL / REDIS_URL) settings, for the node and the CLI alike. */
  readonly env?: Readonly<Record<string, string>>;
  /** Use this data folder instead of a fresh temp one (it is not removed by stop()). */
  readonly dataDir?: string;
  /** The node's clock (a FakeClock moves time by hand); the system clock when absent. */
  readonly clock?: Clock;
}

export interface HttpReply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
  readonly text: string;
}

export interface Stack {
  readonly dataDir: string;
  readonly httpUrl: string;
  readonly smtpPort: number;
  readonly app: App;
  readonly servers: Servers;
  /** The environment the CLI child gets (data folder, ports, the extra settings). */
  readonly env: Readonly<Record<string, string>>;
  /** The first admin's one-time password, when this stack created the first admin. */
  readonly adminPassword: string | null;
  /** `sendwarden ...args` as a child process on the same store. */
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  /** One HTTP request to the running API. */
  http(method: string, pathname: string, options?: { token?: string; body?: unknown }): Promise<HttpReply>;
  /** Adds a user with STRONG (no change required), straight through the core. */
  addUser(email: string, options?: { name?: string; roles?: Role[] }): Promise<{ email: string; password: string }>;
  /** Gives an existing user a new known password (no change required) and returns it. */
  setPassword(email: string, password?: string): Promise<string>;
  /** Closes the servers and the app and removes the temp data folder; safe to call twice. */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'sw-stack-')));
  const extra = options.env ?? {};
  let app: App | undefined;
  let servers: Servers | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await servers?.close();
      await app?.close();
    } finally {
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const config = loadConfig({
      SENDWARDEN_DATA_DIR: dataDir,
      SENDWARDEN_HTTP_PORT: '0',
      SENDWARDEN_SMTP_PORT: '0',
      SENDWARDEN_LOG_LEVEL: 'silent',
      // Every test client connects from 127.0.0.1; a test of the per-address cap sets its own.
      SENDWARDEN_SMTP_MAX_CLIENTS_PER_IP: '1000',
      ...extra,
    });
    app = await buildApp(config, pino({ level: 'silent' }), { clock: options.clock });
    const first = await ensureFirstAdmin(SYSTEM_PRINCIPAL, app.directory, config.admin);
    if (options.demo) await seedDemoTenant(SYSTEM_PRINCIPAL, app.directory, app.restrictions);
    servers = await startServers(app);
    const running = app;
    const env: Record<string, string> = {
      ...extra,
      SENDWARDEN_DATA_DIR: dataDir,
      SENDWARDEN_HTTP_PORT: String(servers.httpPort),
      SENDWARDEN_SMTP_PORT: String(servers.smtpPort),
    };
    const httpUrl = servers.httpUrl.replace(/\/$/, '');
    // A fresh password each time: the password policy refuses any of the last five.
    const setPassword = async (email: string, password = `${STRONG} ${randomBytes(4).toString('hex')}`) => {
      await running.directory.resetPassword(SYSTEM_PRINCIPAL, email, { password, mustChangePassword: false });
      return password;
    };
    return {
      dataDir,
      httpUrl,
      smtpPort: servers.smtpPort,
      app: running,
      servers,
      env,
      adminPassword: first?.password ?? null,
      cli: (args, cliOptions) => runSendwarden(args, env, cliOptions),
      async http(method, pathname, o = {}) {
        const res = await fetch(`${httpUrl}${pathname}`, {
          method,
          headers: {
            ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
            ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
        });
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        return { status: res.status, json, text };
      },
      async addUser(email, o = {}) {
        await running.directory.addUser(SYSTEM_PRINCIPAL, {
          email,
          displayName: o.name ?? email.split('@')[0]!,
          roles: o.roles ?? [],
          password: STRONG,
        });
        return { email, password: STRONG };
      },
      setPassword,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * The composition root: picks the adapters and wires them to the core (the wiring itself is in
 * src/composition/). `sendwarden serve` runs the gateway, API and portal; every other command
 * opens only the store and the core, importing nothing of the servers, so it answers at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { runCli } from './adapters/cli/cli.js';
import type { CliContext } from './adapters/cli/cli-context.js';
import type { DeploymentFacts } from './adapters/cli/mail-stack-config.js';
import { processOutput } from './adapters/cli/output.js';
import { loadConfig as readConfig, type Config } from './config.js';
import type { App } from './composition/server-app.js';
import type { Clock } from './ports/clock.js';
import type { Servers } from './composition/servers.js';
import { cliPrincipal, type Principal } from './core/roles/principal.js';

export type { App } from './composition/server-app.js';
export type { Servers } from './composition/servers.js';

/** Wires the core to its adapters on the configured store; nothing listens yet. */
export async function buildApp(
  config: Config,
  logger: Logger,
  options: { createIfMissing?: boolean; clock?: Clock } = {},
): Promise<App> {
  const { buildApp: build } = await import('./composition/server-app.js');
  return build(config, logger, options);
}

/** Starts the SMTP gateway, the HTTP API and portal, and the background work on a built app. */
export async function startServers(app: App): Promise<Servers> {
  const { startServers: start } = await import('./composition/servers.js');
  return start(app);
}

/** The principal of the first run: the system, with global-admin rights. */
const FIRST_RUN: Principal = {
  actor: { kind: 'system', id: 'system', label: 'Sendwarden (first run)' },
  roles: ['global-admin'],
  userId: null,
};

/** `sendwarden serve`: first run, optional demo tenant, then the servers until a signal. */
async function serve(config: Config, demo: boolean): Promise<void> {
  const { createLogger } = await import('./adapters/system/logger.js');
  const { ensureFirstAdmin } = await import('./core/directory/first-run.js');
  const { DEMO_DOMAIN, seedDemoTenant } = await import('./core/demo/demo-tenant.js');
  const { bannerLines } = await import('./adapters/cli/banner.js');
  const app = await buildApp(config, createLogger({ level: config.logLevel, format: config.logFormat }));
  const firstAdmin = await ensureFirstAdmin(FIRST_RUN, app.directory, config.admin);
  const seeded = demo ? await seedDemoTenant(FIRST_RUN, app.directory, app.restrictions) : false;
  const servers = await startServers(app);
  const lines = bannerLines({
    storeKind: app.store.kind,
    dataDir: config.dataDir,
    hasRedis: Boolean(config.redisUrl),
    host: config.host,
    httpUrl: servers.httpUrl,
    smtpPort: servers.smtpPort,
    smtpsPort: servers.smtpsPort,
    policyPort: servers.policyPort,
    relay: config.relay,
    firstAdmin,
    demoDomain: seeded ? DEMO_DOMAIN : null,
  });
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('Stopping: finishing open SMTP sessions...\n');
  await servers.close();
  await app.close();
}

/** The settings, validated. */
async function loadConfig(): Promise<Config> {
  return readConfig();
}

/** What `sendwarden integrate` prints the mail stack's configuration from. */
function deploymentFacts(config: Config): DeploymentFacts {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const where = host.includes(':') ? `[${host}]` : host;
  return {
    store: config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: path.join(config.dataDir, 'sendwarden.db') },
    httpUrl: `http://${where}:${config.httpPort}`,
    policyAddress: config.policyPort === undefined ? undefined : `${where}:${config.policyPort}`,
    hasDovecotSecret: config.dovecotPolicySecret !== undefined,
  };
}

function packageVersion(): string {
  // The nearest package.json above this file: one folder up from src/main.ts and dist/main.js, two
  // from the CLI bundle (dist/cli/main.js).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

/** Entry point for bin/sendwarden.js. Resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const principal = cliPrincipal(safeUserName());
  const ctx: CliContext = {
    principal,
    output: processOutput,
    version: packageVersion(),
    async open() {
      const config = await loadConfig();
      const { openCore } = await import('./composition/core-app.js');
      const { cliServices } = await import('./composition/cli-services.js');
      return cliServices(await openCore(config, { createIfMissing: false }), principal);
    },
    serve: async ({ demo }) => serve(await loadConfig(), demo),
    deployment: () => deploymentFacts(readConfig()),
  };
  return runCli(argv, ctx);
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href &&
  fileURLToPath(import.meta.url).endsWith('main.ts')
) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}

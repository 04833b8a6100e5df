/**
 * The CLI's answer time as users run it: the built `bin/sendwarden.js users list --search rob --json`
 * (the CLI bundle, dist/cli/) against `node -e 0`, alternated in the same run so machine load hits
 * both alike. The goal is a ratio of at most 4 (docs/benchmarks.md). For reference the same command
 * also runs from the tsc output without the bundle (dist/main.js), in the same alternation.
 * Needs `npm run build` first (dist/main.js and dist/cli/main.js).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.js';
import { openCore } from '../src/composition/core-app.js';
import { median } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'sendwarden.js');

/** What the CLI section reports. */
export interface CliTimes {
  readonly nodeMs: number;
  readonly cliMs: number;
  readonly ratio: number;
  /** The same command from dist/main.js (tsc output, one file per module), not the bundle. */
  readonly unbundledMs: number;
  readonly unbundledRatio: number;
  readonly rounds: number;
}

function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** Medians over `rounds` alternated runs; the data folder gets a store with a few users first. */
export async function cliTimes(dataDir: string, rounds = 7): Promise<CliTimes | { readonly error: string }> {
  for (const file of ['main.js', path.join('cli', 'main.js')])
    if (!existsSync(path.join(ROOT, 'dist', file))) return { error: `dist/${file} is missing: run npm run build` };
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], SENDWARDEN_DATA_DIR: dataDir };
  const app = await openCore(loadConfig({ SENDWARDEN_DATA_DIR: dataDir }));
  try {
    const admin = {
      actor: { kind: 'system', id: 'bench', label: 'bench' },
      roles: ['global-admin'],
      userId: null,
    } as const;
    for (const name of ['rob', 'megan', 'alex', 'adele', 'diego'])
      await app.directory.addUser(admin, { email: `${name}@contoso.com`, displayName: name });
  } finally {
    await app.close();
  }
  const command = ['users', 'list', '--search', 'rob', '--json'];
  const unbundled = [
    '--input-type=module',
    '-e',
    `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'main.js')).href)});` +
      ' process.exitCode = await main(process.argv.slice(1));',
    ...command,
  ];
  const node: number[] = [];
  const cli: number[] = [];
  const plain: number[] = [];
  await timeRun([BIN, ...command], env); // warm the file cache
  await timeRun(unbundled, env);
  for (let i = 0; i < rounds; i++) {
    node.push(await timeRun(['-e', '0'], env));
    cli.push(await timeRun([BIN, ...command], env));
    plain.push(await timeRun(unbundled, env));
  }
  const nodeMs = median(node);
  const cliMs = median(cli);
  const unbundledMs = median(plain);
  return { nodeMs, cliMs, ratio: cliMs / nodeMs, unbundledMs, unbundledRatio: unbundledMs / nodeMs, rounds };
}

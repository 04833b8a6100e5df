/**
 * Runs the real CLI as a child process (`node --import tsx src/main.ts ...`, cwd = repo root),
 * as a person or a script would, and captures its exit code, stdout and stderr. The child's
 * environment is the given one on top of a clean copy of ours: DATABASE_URL, REDIS_URL and every
 * SENDWARDEN_* variable of the test runner are dropped, so only what the test passes reaches it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Written to the child's stdin, which is then closed (stdin is always closed). */
  readonly stdin?: string;
  /** Kill the child (SIGKILL) after this long; default 30 s. */
  readonly timeoutMs?: number;
  /** What the child runs instead of CLI_ENTRY (e.g. BUILT_CLI). */
  readonly entry?: readonly string[];
}

/** A clean environment for a child: ours without the service and Sendwarden settings, plus `env`. */
export function childEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SENDWARDEN_') || k === 'DATABASE_URL' || k === 'REDIS_URL' || k.startsWith('VITEST')) continue;
    base[k] = v;
  }
  return { ...base, NODE_ENV: 'production', FORCE_COLOR: '0', NO_COLOR: '1', ...env };
}

/**
 * What a child runs: `node --import tsx src/main.ts` (the sources, no build needed), or with
 * SENDWARDEN_TEST_CLI=bin the built `bin/sendwarden.js` as users run it (the CLI bundle in dist/cli/).
 */
export const CLI_ENTRY: readonly string[] =
  process.env['SENDWARDEN_TEST_CLI'] === 'bin' ? ['bin/sendwarden.js'] : ['--import', 'tsx', 'src/main.ts'];

/** The built CLI as users run it. */
export const BUILT_CLI: readonly string[] = ['bin/sendwarden.js'];

/** Spawns the CLI (CLI_ENTRY) with `args`: the same code `npx sendwarden` runs once built. */
export function spawnSendwarden(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  entry: readonly string[] = CLI_ENTRY,
): ChildProcess {
  return spawn(process.execPath, [...entry, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs one CLI command to its end. */
export function runSendwarden(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: CliOptions = {},
): Promise<CliResult> {
  const child = spawnSendwarden(args, env, options.entry);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sendwarden ${args.join(' ')} did not end within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A test that runs several CLI children: each one starts Node with tsx and loads the app (about
 * 2 s of CPU), and on a loaded two-core machine a handful of them can take far longer than that.
 */
export const CLI_TEST_TIMEOUT_MS = 120_000;

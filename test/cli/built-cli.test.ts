/**
 * The built CLI (`bin/sendwarden.js`, which runs the bundle in dist/cli/ made by `npm install` /
 * `npm run build`) answers exactly as the sources do, and a command loads only what it needs: none
 * of zod, Fastify, smtp-server, nodemailer, pino, argon2 or the portal for `users list`, and no
 * package file of what the bundle holds (Kysely, commander). Real store (SQLite), real child processes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore } from '../../src/composition/core-app.js';
import { loadConfig } from '../../src/config.js';
import { BUILT_CLI, CLI_TEST_TIMEOUT_MS, REPO_ROOT, runSendwarden } from '../support/cli.js';

const SOURCES = ['--import', 'tsx', 'src/main.ts'];
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sw-built-cli-'));
  env = { SENDWARDEN_DATA_DIR: path.join(dir, 'data') };
  const app = await openCore(loadConfig(env));
  try {
    const admin = {
      actor: { kind: 'system', id: 'test', label: 'test' },
      roles: ['global-admin'],
      userId: null,
    } as const;
    for (const name of ['rob', 'megan', 'adele'])
      await app.directory.addUser(admin, { email: `${name}@contoso.com`, displayName: name, groups: ['Sales'] });
  } finally {
    await app.close();
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the built CLI', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('is built (npm install or npm run build makes dist/cli/)', () => {
    expect(existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))).toBe(true);
  });

  it.each([
    [['--version']],
    [['--help']],
    [['users', '--help']],
    [['users', 'list', '--search', 'rob', '--json']],
    [['users', 'list']],
    [['users', 'list', '--colour']],
    [['users', 'reset-password', 'nobody@contoso.com']],
    [['restricted', 'list', '--json']],
    [['policy', 'show', '--json']],
    [['frobnicate']],
  ])('sendwarden %j: the same exit code, stdout and stderr as the sources', async (args) => {
    const built = await runSendwarden(args, env, { entry: BUILT_CLI });
    const sources = await runSendwarden(args, env, { entry: SOURCES });
    expect(built).toEqual(sources);
  });

  it('a data folder without a store: the same sentence and exit code', async () => {
    const empty = { SENDWARDEN_DATA_DIR: path.join(dir, 'empty') };
    const built = await runSendwarden(['users', 'list'], empty, { entry: BUILT_CLI });
    expect(built.code).toBe(78);
    expect(built).toEqual(await runSendwarden(['users', 'list'], empty, { entry: SOURCES }));
  });

  it('users list loads only the bundle, the SQL driver and nothing of the server', async () => {
    const list = path.join(dir, 'loaded.txt');
    const hook = path.join(dir, 'hook.mjs');
    // A module hook (Node's module.register) that writes every URL Node loads to a file.
    await writeFile(
      hook,
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(list)}, url + '\\n');
  return next(url, context);
}
export async function resolve(specifier, context, next) {
  return next(specifier, context);
}`,
    );
    const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(
      new URL(`file://${hook}`).href,
    )});`;
    const r = await runSendwarden(['users', 'list', '--search', 'rob', '--json'], env, {
      entry: ['--import', register, ...BUILT_CLI],
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ email: 'rob@contoso.com' }]);
    const loaded = (await readFile(list, 'utf8')).trim().split('\n');
    const packages = [
      ...new Set(loaded.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.slice(1) ?? [])),
    ];
    expect(packages).toEqual(['better-sqlite3']);
    const ours = loaded.filter((u) => u.startsWith('file:') && !u.includes('/node_modules/'));
    expect(
      ours.every((u) => u.includes('/dist/cli/') || u.endsWith('/bin/sendwarden.js')),
      ours.join('\n'),
    ).toBe(true);
    expect(ours.some((u) => /servers|server-app|relay-wiring|logger/.test(u))).toBe(false);
  });
});

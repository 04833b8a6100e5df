/**
 * The CLI as a new user meets it (issue: "tried as a new user would"): `--version`; a missing
 * import file exits 66 as the README says; `restricted unblock` without `--yes` says to add
 * `--yes`; `reset-password --password-stdin` never echoes the chosen password; a normal run
 * writes no log line to stderr; a store whose server is not running works; a locked or
 * unreachable store gives one sentence and a non-zero exit, never a stack trace.
 *
 * Fakes: none. A real node (demo tenant) in this process; the CLI as a child process.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, REPO_ROOT, runSendwarden } from '../support/cli.js';
import { getFreePort } from '../support/ports.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ demo: true });
});

afterAll(async () => {
  await stack?.stop();
});

/** One line, the documented "error: ... (CODE)" shape, and nothing that looks like a stack frame. */
const oneSentence = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^error: .+\([A-Z_]+\)\n$/);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('the CLI on first use', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await stack.cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('users import of a file that does not exist exits 66 and names the file', async () => {
    const r = await stack.cli(['users', 'import', '/no/such/users.csv']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('/no/such/users.csv: no such file');
    oneSentence(r.stderr);
  });

  it('restricted unblock without --yes says to add --yes, and unblocks nobody', async () => {
    const r = await stack.cli(['restricted', 'unblock', 'diego@contoso.com']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('Add --yes to confirm');
    expect(r.stderr).not.toContain('"confirm"');
    oneSentence(r.stderr);
    expect((await stack.cli(['restricted', 'list', '--json'])).stdout).toContain('diego@contoso.com');
  });

  it('reset-password --password-stdin sets the password without printing it', async () => {
    const chosen = 'violet harbour lantern 93 quartz';
    const r = await stack.cli(['users', 'reset-password', 'adele@contoso.com', '--password-stdin'], { stdin: chosen });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('adele@contoso.com');
    expect(r.stdout + r.stderr).not.toContain(chosen);
    const json = await stack.cli(['users', 'reset-password', 'adele@contoso.com', '--password-stdin', '--json'], {
      stdin: `${chosen} again`,
    });
    expect(JSON.parse(json.stdout)).toEqual({ email: 'adele@contoso.com', mustChangePassword: true });
    expect(json.stdout).not.toContain(chosen);
  });

  it('an unblock with --yes writes its result and no log line at all to stderr', async () => {
    const r = await stack.cli(['restricted', 'unblock', 'diego@contoso.com', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('diego@contoso.com is unblocked and can send email again now.\n');
    expect(r.stderr).toBe('');
  });
});

describe(
  'the CLI without a running server, and against a store it cannot use',
  { timeout: CLI_TEST_TIMEOUT_MS },
  () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'sw-cli-store-'));
      // A store made by a server that has since stopped: the first run creates it, then exits.
      const made = await startStack({ dataDir: dir });
      await made.stop();
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('lists users of a store whose server is not running', async () => {
      const r = await runSendwarden(['users', 'list', '--json'], { SENDWARDEN_DATA_DIR: dir });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(
        expect.arrayContaining([expect.objectContaining({ email: 'admin@example.com' })]),
      );
    });

    it('a SQLite store locked by another process: one sentence, exit 69', async () => {
      const holder = new BetterSqlite3(path.join(dir, 'sendwarden.db'));
      try {
        holder.exec('BEGIN EXCLUSIVE');
        const r = await runSendwarden(['users', 'add', 'new@example.com', '--name', 'New'], {
          SENDWARDEN_DATA_DIR: dir,
        });
        expect(r.code).toBe(69);
        expect(r.stderr).toContain('SQLITE_BUSY');
        oneSentence(r.stderr);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    });

    it('a PostgreSQL server that does not answer: one sentence naming it, exit 69', async () => {
      const port = await getFreePort();
      const r = await runSendwarden(['users', 'list'], {
        SENDWARDEN_DATA_DIR: dir,
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/sendwarden`,
      });
      expect(r.code).toBe(69);
      expect(r.stderr).toContain(`127.0.0.1:${port}`);
      oneSentence(r.stderr);
    });
  },
);

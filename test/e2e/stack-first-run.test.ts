/**
 * Issue 3, "Done when": `serve --demo` on a fresh data folder prints the first admin's one-time
 * password exactly once (a second start on the same folder prints none); the CLI then finds rob
 * with `users list --search rob --json`, and `users reset-password` prints a temporary password
 * that appears in no file of the data folder (SQLite db, WAL, outbox, keys: all bytes) and in
 * none of the server's output. If this fails, a newcomer cannot sign in on first run, or a
 * helpdesk reset leaves the password readable on disk or in a log.
 *
 * Fakes: none. `serve` runs as a child process exactly as `npm start -- --demo` does (via tsx).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, runSendwarden, spawnSendwarden } from '../support/cli.js';
import { getFreePort } from '../support/ports.js';

const ROB = 'rob@contoso.com';
const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Sends SIGTERM and resolves with the exit code once the process ended. */
  stop(): Promise<number | null>;
}

/**
 * Starts `serve [--demo]` and waits until its output matches `ready` (it prints only once it
 * listens). Output that follows is still collected until stop() returns.
 */
async function serve(env: Record<string, string>, demo: boolean, ready: RegExp): Promise<Served> {
  const child = spawnSendwarden(demo ? ['serve', '--demo'] : ['serve'], env);
  children.add(child);
  const served: Served = {
    child,
    stdout: '',
    stderr: '',
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('close', (code) => {
          children.delete(child);
          resolve(code);
        });
        child.kill('SIGTERM');
      }),
  };
  child.stdin!.end();
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (served.stderr += s));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start within 60 s; stdout: ${served.stdout}; stderr: ${served.stderr}`)),
      60_000,
    );
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      served.stdout += s;
      if (ready.test(served.stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready; stderr: ${served.stderr}`));
    });
  });
  // Once the server answers HTTP its event loop has turned, so its SIGTERM handler is in place.
  const health = await fetch(`http://127.0.0.1:${env['SENDWARDEN_HTTP_PORT']}/healthz`);
  expect(health.status).toBe(200);
  return served;
}

/** Every regular file under `dir`, recursively. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The files under `dir` whose bytes contain `secret` as UTF-8 or UTF-16LE. */
async function filesContaining(dir: string, secret: string): Promise<string[]> {
  const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le')];
  const hits: string[] = [];
  for (const file of await allFiles(dir)) {
    const bytes = await readFile(file);
    if (needles.some((n) => bytes.includes(n))) hits.push(path.relative(dir, file));
  }
  return hits;
}

describe('first run of serve --demo', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('prints the admin password once, finds rob, and a reset password is nowhere on disk or in the output', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sw-first-run-'));
    dirs.push(dataDir);
    const env = {
      SENDWARDEN_DATA_DIR: dataDir,
      SENDWARDEN_HTTP_PORT: String(await getFreePort()),
      SENDWARDEN_SMTP_PORT: String(await getFreePort()),
    };

    const first = await serve(env, true, /demo hijack rob@contoso\.com\n\n$/);
    const lines = first.stdout.split('\n');
    const intro = lines.findIndex((l) => l.startsWith('First run: sign in as admin@example.com'));
    expect(intro, first.stdout).toBeGreaterThan(-1);
    const adminPassword = lines[intro + 1]!.trim();
    expect(adminPassword.length).toBeGreaterThanOrEqual(12);
    expect(first.stdout.split(adminPassword)).toHaveLength(2); // exactly once
    expect(first.stderr).not.toContain(adminPassword);
    expect(first.stdout).toContain('Demo tenant contoso.com seeded');
    expect(first.stdout).toContain(`Portal and API:  http://127.0.0.1:${env.SENDWARDEN_HTTP_PORT}/`);

    // While the server runs, the CLI acts on the same store.
    const list = await runSendwarden(['users', 'list', '--search', 'rob', '--json'], env);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const users = JSON.parse(list.stdout) as { email: string }[];
    expect(users.map((u) => u.email)).toEqual([ROB]);

    const reset = await runSendwarden(['users', 'reset-password', ROB], env);
    expect(reset.code).toBe(0);
    const match = /^Temporary password for rob@contoso\.com: (\S+)\n$/.exec(reset.stdout);
    expect(match, reset.stdout).not.toBeNull();
    const temporary = match![1]!;
    expect(temporary.length).toBeGreaterThanOrEqual(12);
    expect(reset.stderr).toContain('It is shown only this once.');
    expect(reset.stderr).not.toContain(temporary);

    // The running server's folder (db, -wal, -shm, outbox, keys) never holds it.
    expect(await filesContaining(dataDir, temporary)).toEqual([]);
    expect(await filesContaining(dataDir, adminPassword)).toEqual([]);

    expect(await first.stop()).toBe(0);
    expect(first.stdout).toContain('Stopping: finishing open SMTP sessions...');

    // A second start on the same folder: no new admin, no password printed, no re-seeding.
    const second = await serve(env, true, /Next hop:.*\n\n$/);
    expect(await second.stop()).toBe(0);
    expect(second.stdout).toContain('Sendwarden is running');
    expect(second.stdout).not.toContain('First run');
    expect(second.stdout).not.toContain('one-time password');
    expect(second.stdout).not.toContain(adminPassword);
    expect(second.stdout).not.toContain('Demo tenant contoso.com seeded');

    expect(await filesContaining(dataDir, temporary)).toEqual([]);
    expect(await filesContaining(dataDir, adminPassword)).toEqual([]);
    for (const out of [first.stdout, first.stderr, second.stdout, second.stderr, list.stdout, list.stderr])
      expect(out).not.toContain(temporary);
    // The files exist at all: an empty folder would pass the grep above.
    const files = (await allFiles(dataDir)).map((f) => path.relative(dataDir, f));
    expect(files).toContain('sendwarden.db');
  });
});

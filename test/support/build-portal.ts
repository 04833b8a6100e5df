/**
 * Builds dist/portal with the project's own script (vite), so the browser tests load what
 * `npm start` serves. Called once per run, from the global setup: vite empties dist/portal before
 * it writes, so a build in one test file while another file's Chromium loads a page's chunk made
 * that chunk a 404 and the page never drew its heading (CI, 2026-12-02).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `vite build` for the portal; rejects with vite's output when it fails. */
export async function buildPortal(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'src/adapters/portal/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: repoRoot, timeout: 120_000 },
  );
}

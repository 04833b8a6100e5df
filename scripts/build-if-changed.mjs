#!/usr/bin/env node
// `npm start` on a built, unchanged tree starts at once: the build runs only when a build input
// (src/, the tsconfig and vite files, package-lock.json, the CLI bundle script) changed since the last build, known by a
// SHA-256 of their contents kept in dist/.build-stamp. Exit code: the build's, or 0 when skipped.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'dist', '.build-stamp');
const outputs = ['main.js', 'cli/main.js', 'portal/index.html'].map((f) => path.join(root, 'dist', f));

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
}

/** One hash over every build input's path and bytes. */
function inputsHash() {
  const hash = createHash('sha256');
  const inputs = [
    ...files(path.join(root, 'src')),
    ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/bundle-cli.mjs'].map((f) =>
      path.join(root, f),
    ),
  ].filter((f) => existsSync(f));
  for (const f of inputs) hash.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex');
}

const wanted = inputsHash();
const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (built === wanted && outputs.every((f) => existsSync(f))) process.exit(0);
process.stderr.write('Building Sendwarden (sources changed since the last build)...\n');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampFile, `${wanted}\n`);

#!/usr/bin/env node
// The CLI as one small set of files (dist/cli/), so a command answers at once: Node spends most of
// a short command resolving, reading and linking modules one by one (Kysely alone is 260 files), so
// dist/main.js (tsc output) and the two packages every command needs, Kysely and commander, are
// bundled into one entry plus chunks that load only when their code runs (`import()` stays lazy).
// Every other package stays an ordinary import from node_modules, loaded by the command that needs
// it. No source maps: the CLI prints sentences, never stack traces. `sendwarden serve` keeps
// running dist/main.js (bin/sendwarden.js), so the bundle is only ever the CLI path.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'cli');
/** The packages inside the bundle; every other bare import is left to node_modules. */
const BUNDLED = new Set(['kysely', 'commander']);

const packagesOutside = {
  name: 'packages-outside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'dist', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  // commander is CommonJS: its require('node:events') and the like need a require in ESM.
  banner: {
    js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [packagesOutside],
});

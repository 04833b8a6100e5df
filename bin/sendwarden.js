#!/usr/bin/env node
// Runs the built CLI (dist/, made by `npm install` / `npm run build`). In a checkout without a
// build it says what to do instead of failing with a module error. A command runs from the CLI
// bundle (dist/cli/, scripts/bundle-cli.mjs: a few files load instead of hundreds); `serve` runs
// the server from dist/main.js, the tsc output.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const built = new URL('../dist/main.js', import.meta.url);
const bundle = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write(
    'error: Sendwarden is not built yet. Run "npm install" (or "npm run build") in the project folder first.\n',
  );
  process.exit(78);
}
const entry = args[0] !== 'serve' && existsSync(fileURLToPath(bundle)) ? bundle : built;
const { main } = await import(entry.href);
process.exitCode = await main(args);

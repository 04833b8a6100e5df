#!/usr/bin/env node
// Runs the built CLI (dist/, made by `npm install` / `npm run build`). In a checkout without a
// build it says what to do instead of failing with a module error.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error: Sendwarden is not built yet. Run "npm install" (or "npm run build") in the project folder first.\n',
  );
  process.exit(78);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

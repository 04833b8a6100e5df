import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// No fakes: the project's own eslint.config.js lints probe text placed (by filePath only, nothing is
// written) at each position in src, so every direction of style.md's dependency rule is tried.

const root = fileURLToPath(new URL('../../', import.meta.url));
const adapters = readdirSync(path.join(root, 'src/adapters'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => entry.name);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The import-rule messages ESLint reports for a one-import probe at `file` (relative to the root). */
async function importFindings(file: string, importLine: string): Promise<string[]> {
  return (await unreportedLines(file, [importLine])).length === 0 ? ['reported'] : [];
}

/**
 * Lints one probe holding `importLines` (one per line) as if it were `file`, and returns the lines the
 * guard let through. One lint per probe file keeps the 110 adapter directions to a few seconds.
 */
async function unreportedLines(file: string, importLines: string[]): Promise<string[]> {
  const code = `${importLines.join('\n')}\nexport const probe = [typeof x];\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const reported = new Set(
    (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.line),
  );
  return importLines.filter((_, i) => !reported.has(i + 1)).map((line) => `${file}: ${line}`);
}

/** An adapter folder name as an identifier part. */
const safe = (name: string): string => name.replace(/-/g, '_');

describe('the import guard (eslint.config.js)', () => {
  it('knows every adapter folder, so a new adapter is guarded without editing the config', () => {
    // If this failed, a folder under src/adapters could import any other adapter unnoticed.
    expect(adapters.length).toBeGreaterThanOrEqual(11);
  });

  it('refuses an import from each adapter into each other adapter, at any depth', async () => {
    const missed: string[] = [];
    for (const from of adapters) {
      const others = adapters.filter((a) => a !== from);
      const shallow = others.flatMap((to) => [
        `import { x as ${safe(to)}1 } from '../${to}/thing.js';`,
        `import { x as ${safe(to)}2 } from '../../adapters/${to}/thing.js';`,
      ]);
      const deep = others.map((to) => `import type { x as ${safe(to)}3 } from '../../${to}/thing.js';`);
      missed.push(...(await unreportedLines(`src/adapters/${from}/probe.ts`, shallow)));
      missed.push(...(await unreportedLines(`src/adapters/${from}/deep/probe.ts`, deep)));
    }
    expect(missed).toEqual([]);
  });

  it('refuses adapters/shared importing any adapter, and any adapter importing main', async () => {
    const missed: string[] = [];
    for (const to of adapters) {
      const line = `import { x } from '../${to}/thing.js';`;
      if ((await importFindings('src/adapters/shared/probe.ts', line)).length === 0) missed.push(`shared -> ${to}`);
      const main = `import { x } from '../../main.js';`;
      if ((await importFindings(`src/adapters/${to}/probe.ts`, main)).length === 0) missed.push(`${to} -> main`);
    }
    expect(missed).toEqual([]);
  });

  it('lets an adapter import its own files, adapters/shared, core and ports', async () => {
    const allowed: string[] = [];
    for (const from of adapters) {
      for (const line of [
        `import { x } from './sibling.js';`,
        `import { x } from '../shared/api-schemas.js';`,
        `import { x } from '../../core/errors.js';`,
        `import type { x } from '../../ports/clock.js';`,
      ]) {
        const findings = await importFindings(`src/adapters/${from}/probe.ts`, line);
        if (findings.length > 0) allowed.push(`${from}: ${line} -> ${findings.join('; ')}`);
      }
    }
    expect(allowed).toEqual([]);
  });

  it('keeps core pure: no adapter, no main, no config, no package, ports as types only', async () => {
    const file = 'src/core/policy/probe.ts';
    for (const to of adapters) {
      expect(await importFindings(file, `import { x } from '../../adapters/${to}/thing.js';`)).not.toEqual([]);
    }
    for (const line of [
      `import { x } from '../../main.js';`,
      `import { x } from '../../config.js';`,
      `import { x } from 'kysely';`,
      `import { x } from 'node:fs';`,
      `import { x } from '../../ports/clock.js';`,
    ]) {
      expect(await importFindings(file, line), line).not.toEqual([]);
    }
    for (const line of [
      `import { x } from '../errors.js';`,
      `import { x } from '../roles/roles.js';`,
      `import type { x } from '../../ports/clock.js';`,
    ]) {
      expect(await importFindings(file, line), line).toEqual([]);
    }
  });

  it('keeps ports types over core: no adapter, no package, no value import', async () => {
    const file = 'src/ports/probe.ts';
    for (const to of adapters) {
      expect(await importFindings(file, `import type { x } from '../adapters/${to}/thing.js';`)).not.toEqual([]);
    }
    for (const line of [
      `import { x } from '../core/errors.js';`,
      `import { x } from 'node:net';`,
      `import type { x } from '../main.js';`,
    ]) {
      expect(await importFindings(file, line), line).not.toEqual([]);
    }
    for (const line of [`import type { x } from '../core/errors.js';`, `import type { x } from './clock.js';`]) {
      expect(await importFindings(file, line), line).toEqual([]);
    }
  });
});

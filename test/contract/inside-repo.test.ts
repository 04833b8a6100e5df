/**
 * Nothing in the project reads outside the repository: a bare `git clone` has nothing beside it.
 * A static scan of every source, test and bench file for a relative path that climbs above the
 * repository root (a quoted `../…`, or `'..'` segments in path.join/resolve counted from the
 * file's own folder), and a run-time probe of the setup hook (test/support/inside-repo.ts) that
 * refuses reads under `../shared`. If this fails, `npm test` passes here and fails for a new user.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTSIDE_SHARED, REPO_ROOT } from '../support/inside-repo.js';

const SCANNED = ['src', 'test', 'bench', 'bin', 'scripts'];
const EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|json)$/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'artifacts' || name === 'dist') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else if (EXTENSIONS.test(name)) out.push(full);
  }
  return out;
}

const inside = (abs: string) => abs === REPO_ROOT || abs.startsWith(REPO_ROOT + path.sep);

/** The text from `start` up to the parenthesis that closes the one just before it. */
function balanced(text: string, start: number): string {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

/** Every place in `text` (a file in `dir`) whose relative path leaves the repository. */
export function pathsLeavingRepo(text: string, dir: string): string[] {
  const found: string[] = [];
  // A quoted relative path: '../x', "../../x", `../x`.
  for (const m of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g)) {
    if (!inside(path.resolve(dir, m[1]!))) found.push(m[0]);
  }
  // path.join(here, '..', '..', 'x') and path.resolve(...): count the '..' segments from the file's folder.
  for (const m of text.matchAll(/\b(?:join|resolve)\(/g)) {
    const args = balanced(text, m.index + m[0].length);
    const segments = [...args.matchAll(/['"`]([^'"`]*)['"`]/g)].map((x) => x[1]!);
    if (!segments.includes('..')) continue;
    if (!inside(path.resolve(dir, ...segments))) found.push(`${m[0]}${args})`);
  }
  if (/['"`][^'"`]*(?<!adapters\/)shared\/(?:contract|style|stack)\.md/.test(text)) found.push('../shared');
  return found;
}

describe('nothing reads outside the repository', () => {
  it('no source, test or bench file names a path above the repository root', () => {
    const offenders: string[] = [];
    for (const file of SCANNED.flatMap((d) => filesUnder(path.join(REPO_ROOT, d)))) {
      if (file.endsWith(path.join('test', 'contract', 'inside-repo.test.ts'))) continue;
      if (file.endsWith(path.join('test', 'support', 'inside-repo.ts'))) continue;
      for (const hit of pathsLeavingRepo(readFileSync(file, 'utf8'), path.dirname(file)))
        offenders.push(`${path.relative(REPO_ROOT, file)}: ${hit}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the scan sees a read of ../shared, a quoted climb and a join that climbs', () => {
    const dir = path.join(REPO_ROOT, 'test', 'contract');
    expect(pathsLeavingRepo(`readFileSync('../../../shared/contract.md')`, dir)).not.toEqual([]);
    expect(pathsLeavingRepo(`path.join(here, '..', '..', '..', 'elsewhere', 'x.md')`, dir)).not.toEqual([]);
    expect(pathsLeavingRepo(`path.join(here, '..', '..', 'docs', 'contract.md')`, dir)).toEqual([]);
    expect(
      pathsLeavingRepo(
        `path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'x.md')`,
        dir,
      ),
    ).not.toEqual([]);
    expect(pathsLeavingRepo(`import x from '../support/db.js'`, dir)).toEqual([]);
  });

  it('a read under ../shared at run time is refused by the setup hook', async () => {
    const fs = await import('node:fs');
    expect(() => fs.readFileSync(path.join(OUTSIDE_SHARED, 'contract.md'), 'utf8')).toThrow(/outside the repository/);
    await expect(fs.promises.readFile(path.join(OUTSIDE_SHARED, 'style.md'))).rejects.toThrow(/outside the repository/);
  });
});

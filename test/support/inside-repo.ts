/**
 * Loaded before every test file (vitest setupFiles): a test that reads a file in the folder beside
 * the repository (`../shared`, where the contract once lived) fails at once, instead of passing here
 * and failing in a bare `git clone`. The static scan in test/contract/inside-repo.test.ts catches
 * the paths written in the code; this catches the ones computed at run time.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/support/inside-repo.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The folder beside the repository that no test may read. */
export const OUTSIDE_SHARED = path.resolve(REPO_ROOT, '..', 'shared');

/** `shared/` beside the repository and beside each folder above it (worktrees sit one level deeper). */
const FORBIDDEN: readonly string[] = (() => {
  const out: string[] = [];
  for (let dir = path.dirname(REPO_ROOT); ; dir = path.dirname(dir)) {
    out.push(path.join(dir, 'shared'));
    if (path.dirname(dir) === dir) return out;
  }
})();

/** True when `file` (a path, URL or fd) names something under a `shared/` folder outside the repository. */
export function isForbidden(file: unknown): boolean {
  let p: string | undefined;
  if (typeof file === 'string') p = file;
  else if (file instanceof URL && file.protocol === 'file:') p = fileURLToPath(file);
  else if (Buffer.isBuffer(file)) p = file.toString();
  if (p === undefined) return false;
  const abs = path.resolve(p);
  return FORBIDDEN.some((f) => abs === f || abs.startsWith(f + path.sep));
}

function refuse(file: unknown): never {
  throw new Error(`A test read ${String(file)}, outside the repository: keep what tests need inside it (docs/).`);
}

type AnyFn = (...args: never[]) => unknown;
function guard<T extends object>(target: T, names: readonly (keyof T)[], isAsync = false): void {
  for (const name of names) {
    const original = target[name] as unknown as AnyFn;
    if (typeof original !== 'function') continue;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      if (isForbidden(args[0])) {
        if (!isAsync) refuse(args[0]);
        return Promise.reject(
          new Error(`A test read ${String(args[0])}, outside the repository: keep what tests need inside it (docs/).`),
        );
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    (target as Record<keyof T, unknown>)[name] = wrapped;
  }
}

guard(fs, [
  'readFileSync',
  'readFile',
  'openSync',
  'open',
  'createReadStream',
  'existsSync',
  'statSync',
  'readdirSync',
]);
guard(fs.promises, ['readFile', 'open', 'readdir', 'stat'], true);
syncBuiltinESMExports();

/** Runs a bench script in a child Node process (bounded in time) and parses its last stdout line as JSON. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientJob } from './client-process.js';
import { children } from './next-hop.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export function runScript<T>(
  script: string,
  args: readonly string[],
  options: { nodeFlags?: readonly string[]; timeoutMs: number },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', path.join(root, 'bench', script), ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) {
        const why = signal === 'SIGKILL' ? `killed after ${options.timeoutMs / 1000} s` : `exit ${code}`;
        return reject(new Error(`${script} ${why}: ${stderr.trim().slice(0, 500)}`));
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

/** One client job (bench/client-process.ts) in its own process. */
export function runClient<T>(job: ClientJob, timeoutMs: number): Promise<T> {
  return runScript<T>('client-process.ts', [JSON.stringify(job)], { timeoutMs });
}

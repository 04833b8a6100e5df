/**
 * The JSON log on stderr is buffered (4 KB or one second, flushed when the process exits), so these
 * tests run a real child process that logs through createLogger and read its stderr pipe as a log
 * collector or service manager would. If one fails, an operator tailing `journalctl` sees nothing
 * from a running server until 4 KB have gathered, or a command that exits (process.exit, the end of
 * its work, a crash) loses its last lines, often the very line that says what went wrong.
 * Fakes: none.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOG_FLUSH_MS } from '../../src/adapters/system/logger.js';

const CHILD = fileURLToPath(new URL('./fixtures/json-log-child.ts', import.meta.url));

type Child = ChildProcessByStdio<Writable, Readable, Readable> & {
  stderrText: () => string;
  /** Settles at 'close', not 'exit': the pipes are read to their end, so every byte the child wrote is counted. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Starts the fixture (`burst` lines, then a tail of 3); resolves once it has logged them all (its `logged` on stdout). */
async function startChild(mode: 'stay' | 'return' | 'exit' | 'throw', burst: number): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(burst)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('logged\n')) resolve();
    });
    child.once('error', reject);
    child.once('exit', () => reject(new Error(`the child ended before it logged: ${stderr}`)));
  });
  return Object.assign(child, { stderrText: () => stderr, closed });
}

/** The `seq` of every JSON log line in `text` (the stack trace of a crash is not JSON and is skipped). */
function loggedSeqs(text: string): number[] {
  const seqs: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { seq?: number; msg?: string };
    if (entry.msg === 'buffered line' && typeof entry.seq === 'number') seqs.push(entry.seq);
  }
  return seqs;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

describe('the buffered JSON log', () => {
  it('a running process writes its few lines within a second, without exiting or filling 4 KB', async () => {
    const child = await startChild('stay', 0);
    try {
      const waitMs = LOG_FLUSH_MS + 500;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (loggedSeqs(child.stderrText()).length === 3) {
            child.stderr.off('data', check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          child.stderr.off('data', check);
          reject(new Error(`after ${waitMs} ms the pipe had only: ${JSON.stringify(child.stderrText())}`));
        }, waitMs);
        child.stderr.on('data', check);
        check();
      });
      // Still running: the lines came from the periodic flush, not from the flush at exit.
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();
      expect(loggedSeqs(child.stderrText())).toEqual(range(3));
    } finally {
      child.stdin.end();
    }
    expect(await child.closed).toEqual({ code: 0, signal: null });
  });

  // 1,000 lines (about 64 KB, several 4 KB writes) and then a tail of 3 that only the flush at exit writes.
  it.each(['return', 'exit'] as const)(
    'a process that ends (%s) has written every line, none lost or doubled',
    async (mode) => {
      const child = await startChild(mode, 1000);
      expect(await child.closed).toEqual({ code: 0, signal: null });
      const seqs = loggedSeqs(child.stderrText());
      expect(seqs.length).toBe(1003);
      expect([...seqs].sort((a, b) => a - b)).toEqual(range(1003));
    },
  );

  it('the lines logged right before an uncaught exception reach the pipe', async () => {
    const child = await startChild('throw', 0);
    expect(await child.closed).toEqual({ code: 1, signal: null });
    expect(child.stderrText()).toContain('boom after logging');
    expect(loggedSeqs(child.stderrText())).toEqual(range(3));
  });
});

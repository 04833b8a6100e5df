import { DomainError, isDomainError } from '../../core/errors.js';
import type { CliContext, CliServices } from './cli-context.js';
import { EXIT_CODES } from './exit-codes.js';

/** Runs one command with opened services; maps errors to a sentence on stderr and an exit code. */
export type Runner = (work: (services: CliServices) => Promise<number | void>) => Promise<void>;

export function makeRunner(ctx: CliContext, setExitCode: (code: number) => void): Runner {
  return async (work) => {
    let services: CliServices | undefined;
    try {
      services = await ctx.open();
      const code = await work(services);
      setExitCode(code ?? 0);
    } catch (err) {
      setExitCode(reportError(ctx, err));
    } finally {
      await services?.close().catch(() => {});
    }
  };
}

/** Prints "error: <sentence>" (and the code) to stderr; returns the exit code. Never a stack trace. */
export function reportError(ctx: Pick<CliContext, 'output'>, err: unknown): number {
  if (isDomainError(err)) {
    ctx.output.err(`error: ${err.message} (${err.code})`);
    return EXIT_CODES[err.code];
  }
  ctx.output.err(
    `error: an unexpected internal error occurred: ${(err as Error)?.message ?? String(err)}. Check the server log; if it persists, report it.`,
  );
  return 1;
}

/** Reads all of stdin (for --password-stdin); the trailing newline is dropped. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new DomainError('INVALID_INPUT', '--password-stdin was given but standard input was empty.');
  return text;
}

/** Parses a whole, non-negative number option or throws INVALID_INPUT naming the flag. */
export function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new DomainError('INVALID_INPUT', `${flag} must be a whole number, not "${value}".`);
  return Number(value);
}

import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerDomains } from './commands/domains.js';
import { registerIntegrate } from './commands/integrate.js';
import { registerOutbox } from './commands/outbox.js';
import { registerPolicy } from './commands/policy.js';
import { registerRestricted } from './commands/restricted.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsers } from './commands/users.js';
import { EXIT_USAGE } from './exit-codes.js';
import { makeRunner, reportError, type Runner } from './run-command.js';

/**
 * Every command noun, in the order `--help` lists them. A new noun is one file under commands/
 * and one entry here. Registering is cheap (commander only): a command's work opens the store
 * through `ctx.open()` when it runs, and loads anything heavier inside its own action.
 */
const NOUNS: readonly ((program: Command, ctx: CliContext, run: Runner) => void)[] = [
  registerUsers,
  registerRestricted,
  registerPolicy,
  registerTokens,
  registerAudit,
  registerOutbox,
  registerDomains,
  registerDemo,
  registerIntegrate,
];

/** Parses argv (without node and script) and runs one command; resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let exitCode = 0;
  const run = makeRunner(ctx, (code) => {
    exitCode = code;
  });
  const program = new Command('sendwarden')
    .description('Sendwarden: outbound-mail guard and account-recovery console')
    .version(ctx.version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.output.out(s.trimEnd()), writeErr: (s) => ctx.output.err(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('serve')
    .description('run the SMTP gateway, the API and the portal')
    .option('--demo', 'seed the demo organisation contoso.com (rob, megan, alex, adele)')
    .action(async (opts: { demo?: boolean }) => {
      try {
        await ctx.serve({ demo: Boolean(opts.demo) });
      } catch (err) {
        exitCode = reportError(ctx, err);
      }
    });
  for (const register of NOUNS) register(program, ctx, run);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? 0
        : EXIT_USAGE;
    }
    return reportError(ctx, err);
  }
  return exitCode;
}

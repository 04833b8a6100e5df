import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { wholeNumber, type Runner } from '../run-command.js';

/** sendwarden demo hijack */
export function registerDemo(program: Command, ctx: CliContext, run: Runner): void {
  const o = ctx.output;

  program
    .command('demo')
    .description('try Sendwarden on the demo tenant (start the server with --demo first)')
    .command('hijack <user>')
    .description('submit spam as the user through the running gateway until the policy restricts them')
    .option('--max <n>', 'stop after this many messages', '50')
    .action((user: string, opts: { max: string }) =>
      run(async (s) => {
        const result = await s.demoHijack(user, { max: wholeNumber('--max', opts.max) ?? 50 }, (step) => {
          o.out(
            `#${String(step.n).padStart(2)} to ${step.recipient.padEnd(28)} ${step.reply}${step.restricted ? '   <- restricted' : ''}`,
          );
        });
        if (result.restricted) {
          o.out(
            `\n${user} is now restricted from sending. See it with:\n  npx sendwarden restricted list\nand unblock with:\n  npx sendwarden restricted unblock ${user} --yes`,
          );
          return 0;
        }
        o.err(
          `${user} sent ${result.sent} messages without being restricted; lower the limits with "sendwarden policy set".`,
        );
        return 1;
      }),
    );
}

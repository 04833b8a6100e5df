import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import type { Runner } from '../run-command.js';

/** sendwarden audit verify */
export function registerAudit(program: Command, ctx: CliContext, run: Runner): void {
  const o = ctx.output;

  program
    .command('audit')
    .description('the tamper-evident audit log')
    .command('verify')
    .description('check the hash chain; exit 0 only if no entry was changed, removed or inserted')
    .action(() =>
      run(async (s) => {
        const verdict = await s.audit.verify();
        if (verdict.ok) {
          o.out(`Audit log intact: ${verdict.count} entries verified.`);
          return 0;
        }
        o.err(`Audit log BROKEN at entry ${verdict.seq}: ${verdict.reason}.`);
        return 65;
      }),
    );
}

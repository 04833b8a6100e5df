import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import type { Runner } from '../run-command.js';

/** sendwarden domains add|list */
export function registerDomains(program: Command, ctx: CliContext, run: Runner): void {
  const o = ctx.output;

  const domains = program.command('domains').description('accepted domains: mail to these is internal');
  domains.command('add <domain>').action((domain: string) =>
    run(async (s) => {
      const list = await s.addDomain(ctx.principal, domain);
      o.out(`Accepted domains: ${list.join(', ')}`);
    }),
  );
  domains
    .command('list')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      run(async (s) => {
        const orgs = await s.listDomains();
        if (opts.json) return printJson(o, orgs);
        printTable(
          o,
          ['ORGANISATION', 'DOMAINS'],
          orgs.map((x) => [x.name, x.domains.join(', ')]),
        );
      }),
    );
}

import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import type { Runner } from '../run-command.js';

/** sendwarden outbox list */
export function registerOutbox(program: Command, ctx: CliContext, run: Runner): void {
  const o = ctx.output;

  program
    .command('outbox')
    .description('the capture outbox (mail kept when no next hop is set)')
    .command('list')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      run(async (s) => {
        const items = await s.listOutbox();
        if (opts.json)
          return printJson(
            o,
            items.map((i) => ({ ...i, at: i.at.toISOString() })),
          );
        if (items.length === 0) return o.out('The outbox is empty.');
        printTable(
          o,
          ['TIME', 'FROM', 'TO', 'SUBJECT', 'SIZE'],
          items.map((i) => [i.at.toISOString(), i.from, i.to.join(','), i.subject ?? '', String(i.size)]),
        );
      }),
    );
}

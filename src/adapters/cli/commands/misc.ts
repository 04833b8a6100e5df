import type { Command } from 'commander';
import { DomainError } from '../../../core/errors.js';
import { isRole } from '../../../core/roles/roles.js';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import { wholeNumber, type Runner } from '../run-command.js';

/** sendwarden tokens create | outbox list | domains add/list | demo hijack */
export function registerMisc(program: Command, ctx: CliContext, run: Runner): void {
  const o = ctx.output;

  program
    .command('tokens')
    .description('API tokens for scripts')
    .command('create')
    .description('create an API token, printed once')
    .requiredOption('--role <role>', 'global-admin, security-admin, user-admin, helpdesk or security-reader')
    .option('--name <name>', 'what the token is for')
    .option('--expires-days <n>', 'days until it expires (default 90; 0 = never)', '90')
    .option('--json', 'print {"token": "..."}')
    .action((opts: { role: string; name?: string; expiresDays: string; json?: boolean }) =>
      run(async (s) => {
        if (!isRole(opts.role))
          throw new DomainError(
            'INVALID_INPUT',
            `"${opts.role}" is not a role. Roles: global-admin, security-admin, user-admin, helpdesk, security-reader.`,
          );
        const days = wholeNumber('--expires-days', opts.expiresDays);
        const t = await s.createToken(ctx.principal, {
          role: opts.role,
          name: opts.name,
          expiresInDays: days === 0 ? undefined : days,
        });
        if (opts.json)
          return printJson(o, {
            token: t.token,
            id: t.id,
            role: t.role,
            expiresAt: t.expiresAt?.toISOString() ?? null,
          });
        o.out(t.token);
        o.err(
          `Token ${t.id} with role ${t.role}${t.expiresAt ? `, expires ${t.expiresAt.toISOString()}` : ', never expires'}. It is shown only this once.`,
        );
      }),
    );

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

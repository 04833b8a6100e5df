import type { Command } from 'commander';
import { DomainError } from '../../../core/errors.js';
import { isRole } from '../../../core/roles/roles.js';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output.js';
import { wholeNumber, type Runner } from '../run-command.js';

/** sendwarden tokens create */
export function registerTokens(program: Command, ctx: CliContext, run: Runner): void {
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
}

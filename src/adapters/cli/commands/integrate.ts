import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { dovecotFragment, dovecotSqlFile, postfixFragment } from '../mail-stack-config.js';

/** sendwarden integrate dovecot | postfix: configuration that makes the mail stack obey Sendwarden. */
export function registerIntegrate(program: Command, ctx: CliContext): void {
  const integrate = program
    .command('integrate')
    .description('print the configuration that makes Dovecot or Postfix obey this Sendwarden');

  integrate
    .command('dovecot')
    .description('a Dovecot 2.3 fragment: auth policy server, no auth cache, SQL passdb on this store')
    .option('--secret-file <path>', 'file with the policy secret header line', '/etc/dovecot/sendwarden-policy.secret')
    .option('--sql-file <path>', 'where the SQL passdb settings go', '/etc/dovecot/dovecot-sql-sendwarden.conf.ext')
    .option('--auth-socket <path>', "Dovecot's auth socket for Postfix SASL", '/var/spool/postfix/private/auth')
    .option('--sql', 'print only the SQL passdb settings file')
    .action((opts: { secretFile: string; sqlFile: string; authSocket: string; sql?: boolean }) => {
      const facts = ctx.deployment();
      if (opts.sql) return ctx.output.out(dovecotSqlFile(facts).trimEnd());
      const fragment = dovecotFragment(facts, {
        secretFile: opts.secretFile,
        sqlFile: opts.sqlFile,
        authSocket: opts.authSocket,
        nonce: randomBytes(16).toString('hex'),
      });
      ctx.output.out(fragment.trimEnd());
      ctx.output.out(`\n# ---- ${opts.sqlFile} (or: sendwarden integrate dovecot --sql) ----`);
      ctx.output.out(
        dovecotSqlFile(facts)
          .trimEnd()
          .split('\n')
          .map((l) => (l.startsWith('#') ? l : `# ${l}`))
          .join('\n'),
      );
    });

  integrate
    .command('postfix')
    .description('main.cf and master.cf lines: SASL through Dovecot, the policy service, fail closed')
    .action(() => ctx.output.out(postfixFragment(ctx.deployment()).trimEnd()));
}

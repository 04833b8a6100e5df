import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import type { Runner } from '../run-command.js';

/** sendwarden users app-password add|list|revoke: the operator acting for a user (issue 3). */
export function registerAppPasswords(users: Command, ctx: CliContext, run: Runner): void {
  const appPassword = users
    .command('app-password')
    .description("a user's named app passwords for mail clients (SMTP AUTH accepts them)");
  const o = ctx.output;

  appPassword
    .command('add <user>')
    .description('create a named app password, printed once (never send it by email)')
    .requiredOption('--name <name>', 'what it is for, e.g. "Outlook on the phone" (1 to 64 characters)')
    .option('--json', 'print {"password": "..."}')
    .action((userRef: string, opts: { name: string; json?: boolean }) =>
      run(async (s) => {
        const user = await s.directory.getUser(ctx.principal, userRef);
        const { appPassword, secret } = await s.appPasswords.create(user.id, opts.name, ctx.principal.actor);
        if (opts.json) return printJson(o, { password: secret });
        o.out(`App password "${appPassword.name}" for ${user.email}: ${secret}`);
        o.err('It is shown only this once. Enter it in the mail client as the password for SMTP.');
      }),
    );

  appPassword
    .command('list <user>')
    .description("list a user's app passwords by name and last use (never the passwords)")
    .option('--json', 'machine-readable output: an array of {id, name, createdAt, lastUsedAt}')
    .action((userRef: string, opts: { json?: boolean }) =>
      run(async (s) => {
        const user = await s.directory.getUser(ctx.principal, userRef);
        const items = await s.appPasswords.list(user.id);
        if (opts.json)
          return printJson(
            o,
            items.map((a) => ({
              id: a.id,
              name: a.name,
              createdAt: a.createdAt.toISOString(),
              lastUsedAt: a.lastUsedAt?.toISOString() ?? null,
            })),
          );
        if (items.length === 0) return o.out(`${user.email} has no app passwords.`);
        printTable(
          o,
          ['ID', 'NAME', 'CREATED', 'LAST USED'],
          items.map((a) => [a.id, a.name, a.createdAt.toISOString(), a.lastUsedAt?.toISOString() ?? 'never']),
        );
      }),
    );

  appPassword
    .command('revoke <user> <id>')
    .description('revoke one app password at once (the ID from "list")')
    .action((userRef: string, id: string) =>
      run(async (s) => {
        const user = await s.directory.getUser(ctx.principal, userRef);
        await s.appPasswords.revoke(user.id, id, ctx.principal.actor);
        o.out(`App password ${id} of ${user.email} revoked; mail clients using it can no longer sign in.`);
      }),
    );
}

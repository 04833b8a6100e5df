import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { User } from '../../../core/directory/user.js';
import type { ImportRow } from '../../../core/directory/user-import.js';
import { DomainError } from '../../../core/errors.js';
import { isLockedOut } from '../../../core/lockout/smart-lockout.js';
import type { CliContext } from '../cli-context.js';
import { parseCsv } from '../csv.js';
import { printJson, printTable, progressBar } from '../output.js';
import { readStdin, type Runner } from '../run-command.js';
import { registerAppPasswords } from './app-passwords.js';

function userJson(u: User, now: Date) {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    aliases: u.aliases,
    groups: u.groups,
    roles: u.roles,
    signInBlocked: u.signInBlocked,
    lockedOut: isLockedOut(u.lockout, now),
    mustChangePassword: u.mustChangePassword,
    alternateEmail: u.alternateEmail,
    language: u.language ?? null,
    timeZone: u.timeZone ?? null,
    createdAt: u.createdAt.toISOString(),
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
  };
}

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter(Boolean),
];

/** sendwarden users add|list|import|reset-password|block-sign-in|allow-sign-in|unlock|app-password */
export function registerUsers(program: Command, ctx: CliContext, run: Runner): void {
  const users = program
    .command('users')
    .description('Active users: add, list, import, reset passwords, sign-in status, unlock');
  const o = ctx.output;

  users
    .command('add <email>')
    .description('add a user')
    .requiredOption('--name <name>', 'display name, e.g. "Rob Young"')
    .option(
      '--role <role>',
      'admin role: global-admin, security-admin, user-admin, helpdesk, security-reader (repeatable)',
      list,
    )
    .option('--alias <address>', 'another address of the user (repeatable)', list)
    .option('--group <group>', 'group membership (repeatable)', list)
    .option('--alternate-email <address>', 'outside address for self-service password reset codes')
    .option(
      '--language <lang>',
      'language of the email Sendwarden sends the user: en, fr, nb, nl, ro (default SENDWARDEN_LANGUAGE)',
    )
    .option(
      '--time-zone <zone>',
      'IANA time zone of the times in that email, e.g. Europe/Amsterdam (default SENDWARDEN_TIME_ZONE)',
    )
    .option('--password-stdin', 'read the password from standard input (otherwise none is set: reset it to sign in)')
    .option('--json', 'machine-readable output')
    .action(
      (
        email: string,
        opts: {
          name: string;
          role?: string[];
          alias?: string[];
          group?: string[];
          alternateEmail?: string;
          language?: string;
          timeZone?: string;
          passwordStdin?: boolean;
          json?: boolean;
        },
      ) =>
        run(async (s) => {
          const password = opts.passwordStdin ? await readStdin() : undefined;
          const user = await s.directory.addUser(ctx.principal, {
            email,
            displayName: opts.name,
            roles: opts.role,
            aliases: opts.alias,
            groups: opts.group,
            alternateEmail: opts.alternateEmail,
            language: opts.language,
            timeZone: opts.timeZone,
            password,
          });
          if (opts.json) printJson(o, userJson(user, new Date()));
          else
            o.out(
              `Added ${user.email} (${user.displayName})${user.roles.length ? ` with role ${user.roles.join(', ')}` : ''}.`,
            );
        }),
    );

  users
    .command('list')
    .description('list users; --search "rob" finds rob@contoso.com')
    .option('--search <text>', 'part of an email address, alias or name')
    .option('--limit <n>', 'at most this many (default 500)', '500')
    .option('--json', 'machine-readable output: an array of users')
    .action((opts: { search?: string; limit: string; json?: boolean }) =>
      run(async (s) => {
        const page = await s.directory.listUsers(ctx.principal, {
          search: opts.search,
          limit: Math.min(500, Number(opts.limit) || 500),
        });
        const now = new Date();
        if (opts.json)
          return printJson(
            o,
            page.items.map((u) => userJson(u, now)),
          );
        if (page.items.length === 0)
          return o.out(opts.search ? `No user matches "${opts.search}".` : 'There are no users yet.');
        printTable(
          o,
          ['EMAIL', 'NAME', 'ROLES', 'SIGN-IN', 'LOCKED'],
          page.items.map((u) => [
            u.email,
            u.displayName,
            u.roles.join(',') || '-',
            u.signInBlocked ? 'blocked' : 'allowed',
            isLockedOut(u.lockout, now) ? 'yes' : 'no',
          ]),
        );
        if (page.total > page.items.length)
          o.err(`(${page.items.length} of ${page.total} shown; narrow with --search)`);
      }),
    );

  users
    .command('import <file>')
    .description(
      'add many users from a CSV file: email,name,aliases,groups,alternate email,language,time zone (aliases and groups separated by ";")',
    )
    .option('--dry-run', 'check every row and report, change nothing')
    .option('--json', 'machine-readable report')
    .action((file: string, opts: { dryRun?: boolean; json?: boolean }) =>
      run(async (s) => {
        const rows = await readImportFile(file);
        const report = await s.directory.importUsers(ctx.principal, rows, {
          dryRun: Boolean(opts.dryRun),
          onProgress: progressBar(o, 'Importing'),
        });
        if (opts.json) {
          printJson(o, report);
        } else {
          for (const r of report.rejected) o.err(`line ${r.line}: ${r.email || '(no email)'}: ${r.reason}`);
          o.out(
            `${report.dryRun ? 'Dry run: would import' : 'Imported'} ${report.imported} of ${report.total} users; ${report.rejected.length} rejected.`,
          );
        }
        return report.rejected.length > 0 ? 65 : 0;
      }),
    );

  users
    .command('reset-password <user>')
    .description('set a new temporary password, printed once (never send it by email)')
    .option('--password-stdin', 'use the password from standard input instead of generating one')
    .option('--no-require-change', 'do not require a change at next sign-in')
    .option('--json', 'print {"temporaryPassword": "..."} (with --password-stdin: {"email", "mustChangePassword"})')
    .action((user: string, opts: { passwordStdin?: boolean; requireChange: boolean; json?: boolean }) =>
      run(async (s) => {
        const password = opts.passwordStdin ? await readStdin() : undefined;
        const result = await s.directory.resetPassword(ctx.principal, user, {
          password,
          mustChangePassword: opts.requireChange,
        });
        // A password the admin chose came from stdin: never echo it onto a screen or into a log.
        if (password !== undefined) {
          if (opts.json) return printJson(o, { email: result.user.email, mustChangePassword: opts.requireChange });
          o.out(
            `The password you gave is set for ${result.user.email}.${opts.requireChange ? ' They must change it at next sign-in.' : ''}`,
          );
          return;
        }
        if (opts.json) return printJson(o, { temporaryPassword: result.temporaryPassword });
        o.out(`Temporary password for ${result.user.email}: ${result.temporaryPassword}`);
        o.err(
          'It is shown only this once. Give it to the user by phone or in person, never by email.' +
            (opts.requireChange ? ' They must change it at next sign-in.' : ''),
        );
      }),
    );

  const simple = (
    name: string,
    description: string,
    act: (s: Parameters<Parameters<Runner>[0]>[0], user: string) => Promise<User>,
    done: (u: User) => string,
  ) =>
    users
      .command(`${name} <user>`)
      .description(description)
      .action((user: string) =>
        run(async (s) => {
          o.out(done(await act(s, user)));
        }),
      );
  simple(
    'block-sign-in',
    'block sign-in: ends sessions and app passwords at once',
    (s, u) => s.directory.setSignInStatus(ctx.principal, u, true),
    (u) => `Sign-in blocked for ${u.email}; sessions and app passwords revoked.`,
  );
  simple(
    'allow-sign-in',
    'allow sign-in again',
    (s, u) => s.directory.setSignInStatus(ctx.principal, u, false),
    (u) => `Sign-in allowed for ${u.email}.`,
  );
  simple(
    'unlock',
    'clear a smart-lockout after repeated bad passwords',
    (s, u) => s.directory.unlock(ctx.principal, u),
    (u) => `${u.email} is unlocked and can sign in again.`,
  );
  registerAppPasswords(users, ctx, run);
}

async function readImportFile(file: string): Promise<ImportRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // A missing file is "not found" (exit 66, as the README says); anything else is bad input (65).
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DomainError(
      missing ? 'NOT_FOUND' : 'INVALID_INPUT',
      `Cannot read ${file}: ${missing ? 'no such file' : (err as Error).message}.`,
      { cause: err },
    );
  }
  const rows = parseCsv(text);
  const first = rows[0];
  const hasHeader =
    first !== undefined && /e-?mail/i.test(first.cells[0] ?? '') && !(first.cells[0] ?? '').includes('@');
  const split = (v: string | undefined) =>
    (v ?? '')
      .split(';')
      .map((x) => x.trim())
      .filter(Boolean);
  return (hasHeader ? rows.slice(1) : rows).map(({ line, cells }) => ({
    line,
    email: (cells[0] ?? '').trim(),
    displayName: (cells[1] ?? '').trim(),
    aliases: split(cells[2]),
    groups: split(cells[3]),
    alternateEmail: (cells[4] ?? '').trim() || null,
    language: (cells[5] ?? '').trim() || null,
    timeZone: (cells[6] ?? '').trim() || null,
  }));
}

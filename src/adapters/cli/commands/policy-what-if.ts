import type { Command } from 'commander';
import type { PolicyPatch } from '../../../core/policy/policy-admin.js';
import type { WhatIfReport } from '../../../core/what-if/what-if-report.js';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable, type Output } from '../output.js';
import { wholeNumber, type Runner } from '../run-command.js';

type Opts = Record<string, string | undefined>;

/** What policy.ts shares with this command, so `what-if` takes exactly the flags of `policy set`. */
export interface SettingFlags {
  readonly withSettingFlags: (cmd: Command) => Command;
  readonly patchOf: (opts: Opts) => PolicyPatch;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '-');

/** sendwarden policy what-if [--days N] [--policy NAME] [flags as policy set] [--json] */
export function registerPolicyWhatIf(policy: Command, ctx: CliContext, run: Runner, flags: SettingFlags): void {
  const o = ctx.output;
  flags
    .withSettingFlags(
      policy
        .command('what-if')
        .description('replay the message log through these settings and show who would be restricted; saves nothing')
        .option('--days <n>', 'days back to replay (default 7, at most the message log retention)')
        .option('--policy <name-or-id>', 'a custom policy to change instead of the default one')
        .option('--max-users <n>', 'users listed (default 200); the totals always count everyone')
        .option('--json', 'machine-readable output: the same report as the API'),
    )
    .action((opts: Opts & { json?: boolean }) =>
      run(async (s) => {
        const range = {
          days: wholeNumber('--days', opts['days']),
          maxUsers: wholeNumber('--max-users', opts['maxUsers']),
        };
        const patch = flags.patchOf(opts);
        const target = opts['policy'];
        const report =
          target === undefined
            ? await s.whatIf.previewDefault(ctx.principal, patch, range)
            : await s.whatIf.previewCustom(ctx.principal, target, patch, range);
        if (opts.json) return printJson(o, report);
        printReport(o, report);
      }),
    );
}

function printReport(o: Output, r: WhatIfReport): void {
  const t = r.totals;
  o.out(
    `What-if for policy "${r.policy.name}" over the last ${r.days} days (${iso(r.since)} to ${iso(r.until)}): ${r.rowsReplayed} messages of ${r.usersSeen} users replayed. Nothing was saved.`,
  );
  if (r.isEmpty) {
    o.out('The message log has no messages in this range: there is nothing to replay.');
    return;
  }
  o.out(
    `Would restrict ${t.restricted} users (${t.newRestrictions} new, ${t.stillRestricted} also restricted in reality); ${t.noLongerRestricted} restricted in reality would no longer be. Deferred: ${t.deferred}; alerted: ${t.alerted}.`,
  );
  o.out(
    `Recipients refused: ${t.recipientsRefused} (in reality ${t.actualRecipientsRefused}); messages refused: ${t.messagesRefused} (in reality ${t.actualMessagesRefused}).`,
  );
  if (r.users.length > 0) {
    printTable(
      o,
      ['USER', 'CHANGE', 'FIRST RESTRICTED', 'RULE', 'REFUSED', 'IN REALITY'],
      r.users.map((u) => [
        u.isDeleted ? `${u.email} (deleted)` : u.email,
        u.change,
        iso(u.firstRestriction?.at ?? null),
        u.firstRestriction?.summary ?? (u.firstDeferredAt ? 'deferred' : u.firstAlertedAt ? 'alerted' : '-'),
        String(u.recipientsRefused),
        u.actualRestrictedAt ? `restricted ${iso(u.actualRestrictedAt)} (${u.actualRule ?? ''})` : '-',
      ]),
    );
  }
  if (r.isTruncated)
    o.out(`Only the first ${r.users.length} of ${r.usersAffected} affected users are listed; the totals count all.`);
  const c = r.caveats;
  if (c.deletedUsers > 0)
    o.out(`${c.deletedUsers} users were deleted since; they were matched by their sender address.`);
  if (c.guessedKindRows > 0)
    o.out(
      `${c.guessedKindRows} older messages do not say which refused recipients were internal; they were replayed as external.`,
    );
  if (c.unknownRecipientRows > 0)
    o.out(
      `${c.unknownRecipientRows} messages were refused before any recipient was given; they were replayed without recipients.`,
    );
}

import type { Command } from 'commander';
import { DomainError } from '../../../core/errors.js';
import type { LimitAction } from '../../../core/policy/outbound-policy.js';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import { wholeNumber, type Runner } from '../run-command.js';

/** sendwarden policy show|set */
export function registerPolicy(program: Command, ctx: CliContext, run: Runner): void {
  const policy = program.command('policy').description('The default outbound spam policy');
  const o = ctx.output;

  policy
    .command('show')
    .description('show the limits and actions')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      run(async (s) => {
        const p = await s.policyAdmin.get(ctx.principal);
        if (opts.json) return printJson(o, { ...p, updatedAt: p.updatedAt.toISOString(), priority: undefined });
        printTable(
          o,
          ['SETTING', 'VALUE'],
          [
            ['external recipients per hour', String(p.limits.externalPerHour)],
            ['internal recipients per hour', String(p.limits.internalPerHour)],
            ['recipients per day', String(p.limits.perDay)],
            ['messages per minute', String(p.limits.messagesPerMinute)],
            ['recipients per message', String(p.limits.recipientsPerMessage)],
            ['action when a limit is reached', p.action],
            ['spam verdicts that restrict', `${p.spamVerdictsToRestrict} in ${p.spamWindowMinutes} min`],
            ['unblock cap', `${p.unblockCap} per ${p.unblockWindowDays} days`],
            ['external automatic forwarding', p.autoForwarding ? 'on' : 'off'],
          ],
        );
      }),
    );

  policy
    .command('set')
    .description('change limits and actions; takes effect at once in the running server')
    .option('--external-per-hour <n>', 'external recipients per hour (0 = no limit)')
    .option('--internal-per-hour <n>', 'internal recipients per hour (0 = no limit)')
    .option('--per-day <n>', 'recipients per day (0 = no limit)')
    .option('--messages-per-minute <n>', 'messages per minute (throttle)')
    .option('--recipients-per-message <n>', 'recipients in one message')
    .option('--action <action>', 'restrict | restrict-until-tomorrow | alert')
    .option('--spam-verdicts <n>', 'spam verdicts within the spam window that restrict the sender')
    .option('--unblock-cap <n>', 'admin unblocks allowed per user within the unblock window')
    .option('--unblock-window-days <n>', 'the unblock window in days')
    .option('--auto-forwarding <on|off>', 'external automatic forwarding')
    .action((opts: Record<string, string | undefined>) =>
      run(async (s) => {
        const action = opts['action'];
        if (action !== undefined && !['restrict', 'restrict-until-tomorrow', 'alert'].includes(action)) {
          throw new DomainError(
            'INVALID_INPUT',
            `--action must be restrict, restrict-until-tomorrow or alert, not "${action}".`,
          );
        }
        const fwd = opts['autoForwarding'];
        if (fwd !== undefined && fwd !== 'on' && fwd !== 'off')
          throw new DomainError('INVALID_INPUT', `--auto-forwarding must be on or off, not "${fwd}".`);
        const patch = {
          limits: {
            externalPerHour: wholeNumber('--external-per-hour', opts['externalPerHour']),
            internalPerHour: wholeNumber('--internal-per-hour', opts['internalPerHour']),
            perDay: wholeNumber('--per-day', opts['perDay']),
            messagesPerMinute: wholeNumber('--messages-per-minute', opts['messagesPerMinute']),
            recipientsPerMessage: wholeNumber('--recipients-per-message', opts['recipientsPerMessage']),
          },
          action: action as LimitAction | undefined,
          spamVerdictsToRestrict: wholeNumber('--spam-verdicts', opts['spamVerdicts']),
          unblockCap: wholeNumber('--unblock-cap', opts['unblockCap']),
          unblockWindowDays: wholeNumber('--unblock-window-days', opts['unblockWindowDays']),
          autoForwarding: fwd === undefined ? undefined : fwd === 'on',
        };
        const p = await s.policyAdmin.update(ctx.principal, patch);
        o.out(
          `Policy saved: external ${p.limits.externalPerHour}/h, internal ${p.limits.internalPerHour}/h, ${p.limits.perDay}/day, action ${p.action}.`,
        );
      }),
    );
}

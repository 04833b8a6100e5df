import type { Command } from 'commander';
import { DomainError } from '../../../core/errors.js';
import type { LimitAction, OutboundPolicy } from '../../../core/policy/outbound-policy.js';
import type { PolicyPatch } from '../../../core/policy/policy-admin.js';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import { wholeNumber, type Runner } from '../run-command.js';
import { registerPolicyWhatIf } from './policy-what-if.js';

type Opts = Record<string, string | undefined>;

/** The limit and action flags `policy set` and `policy add` share. */
function withSettingFlags(cmd: Command): Command {
  return cmd
    .option('--external-per-hour <n>', 'external recipients per hour (0 = no limit)')
    .option('--internal-per-hour <n>', 'internal recipients per hour (0 = no limit)')
    .option('--per-day <n>', 'recipients per day (0 = no limit)')
    .option('--messages-per-minute <n>', 'messages per minute (throttle)')
    .option('--recipients-per-message <n>', 'recipients in one message')
    .option('--action <action>', 'restrict | restrict-until-tomorrow | alert')
    .option('--spam-verdicts <n>', 'spam verdicts within the spam window that restrict the sender')
    .option('--spam-window-minutes <n>', 'the spam window in minutes (1 to 10080)')
    .option('--spam-score-threshold <n>', 'the built-in scorer refuses a message at or above this score (default 10)')
    .option('--unblock-cap <n>', 'admin unblocks allowed per user within the unblock window')
    .option('--unblock-window-days <n>', 'the unblock window in days')
    .option('--auto-forwarding <on|off>', 'external automatic forwarding');
}

function patchOf(opts: Opts): PolicyPatch {
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
  return {
    limits: {
      externalPerHour: wholeNumber('--external-per-hour', opts['externalPerHour']),
      internalPerHour: wholeNumber('--internal-per-hour', opts['internalPerHour']),
      perDay: wholeNumber('--per-day', opts['perDay']),
      messagesPerMinute: wholeNumber('--messages-per-minute', opts['messagesPerMinute']),
      recipientsPerMessage: wholeNumber('--recipients-per-message', opts['recipientsPerMessage']),
    },
    action: action as LimitAction | undefined,
    spamVerdictsToRestrict: wholeNumber('--spam-verdicts', opts['spamVerdicts']),
    spamWindowMinutes: wholeNumber('--spam-window-minutes', opts['spamWindowMinutes']),
    spamScoreThreshold: wholeNumber('--spam-score-threshold', opts['spamScoreThreshold']),
    unblockCap: wholeNumber('--unblock-cap', opts['unblockCap']),
    unblockWindowDays: wholeNumber('--unblock-window-days', opts['unblockWindowDays']),
    autoForwarding: fwd === undefined ? undefined : fwd === 'on',
  };
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** "users rob@x; groups Sales; domains fabrikam.com", or "everyone else" for the default. */
function appliesTo(p: OutboundPolicy): string {
  if (p.isDefault) return 'everyone else';
  const parts = [
    p.scope.users.length ? `users ${p.scope.users.join(',')}` : '',
    p.scope.groups.length ? `groups ${p.scope.groups.join(',')}` : '',
    p.scope.domains.length ? `domains ${p.scope.domains.join(',')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function policyJson(p: OutboundPolicy) {
  return { ...p, priority: p.isDefault ? null : p.priority, updatedAt: p.updatedAt.toISOString() };
}

/** sendwarden policy show|set|list|add|remove */
export function registerPolicy(program: Command, ctx: CliContext, run: Runner): void {
  const policy = program
    .command('policy')
    .description('Outbound spam policies: the default one, and custom ones for users, groups or domains');
  const o = ctx.output;

  policy
    .command('show')
    .description('show the limits and actions of the default policy')
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
            ['spam score threshold', String(p.spamScoreThreshold)],
            ['unblock cap', `${p.unblockCap} per ${p.unblockWindowDays} days`],
            ['external automatic forwarding', p.autoForwarding ? 'on' : 'off'],
          ],
        );
      }),
    );

  withSettingFlags(
    policy.command('set').description('change the default policy; takes effect at once in the running server'),
  ).action((opts: Opts) =>
    run(async (s) => {
      const p = await s.policyAdmin.update(ctx.principal, patchOf(opts));
      o.out(
        `Policy saved: external ${p.limits.externalPerHour}/h, internal ${p.limits.internalPerHour}/h, ${p.limits.perDay}/day, action ${p.action}.`,
      );
    }),
  );

  policy
    .command('list')
    .description('every policy in match order: custom ones by priority (first match wins), the default last')
    .option('--json', 'machine-readable output: an array of policies (the default has priority null)')
    .action((opts: { json?: boolean }) =>
      run(async (s) => {
        const all = await s.policyAdmin.list(ctx.principal);
        if (opts.json) return printJson(o, all.map(policyJson));
        printTable(
          o,
          ['PRIORITY', 'NAME', 'APPLIES TO', 'EXTERNAL/H', 'INTERNAL/H', 'PER DAY', 'ACTION', 'ID'],
          all.map((p) => [
            p.isDefault ? 'default' : String(p.priority),
            p.name,
            appliesTo(p),
            String(p.limits.externalPerHour),
            String(p.limits.internalPerHour),
            String(p.limits.perDay),
            p.action,
            p.id,
          ]),
        );
      }),
    );

  withSettingFlags(
    policy
      .command('add')
      .description('add a custom policy; settings not given are copied from the default policy')
      .requiredOption('--name <name>', 'a unique name, 1 to 64 characters')
      .requiredOption('--priority <n>', 'a unique whole number; 0 is matched first')
      .option('--users <addresses>', 'email addresses it applies to, comma-separated')
      .option('--groups <groups>', 'groups it applies to, comma-separated')
      .option('--domains <domains>', 'domains it applies to, comma-separated'),
  ).action((opts: Opts) =>
    run(async (s) => {
      const priority = wholeNumber('--priority', opts['priority']) ?? 0;
      const scope = { users: list(opts['users']), groups: list(opts['groups']), domains: list(opts['domains']) };
      if (scope.users.length + scope.groups.length + scope.domains.length === 0) {
        throw new DomainError(
          'INVALID_INPUT',
          'Give --users, --groups or --domains: a custom policy must say whom it applies to.',
        );
      }
      const p = await s.policyAdmin.createCustom(ctx.principal, {
        ...patchOf(opts),
        name: opts['name'] ?? '',
        priority,
        scope,
      });
      o.out(
        `Policy "${p.name}" added with priority ${p.priority} for ${appliesTo(p)}: external ${p.limits.externalPerHour}/h, internal ${p.limits.internalPerHour}/h, ${p.limits.perDay}/day, action ${p.action}.`,
      );
    }),
  );

  policy
    .command('remove <name-or-id>')
    .description('remove a custom policy (the default policy cannot be removed)')
    .action((key: string) =>
      run(async (s) => {
        const p = await s.policyAdmin.deleteCustom(ctx.principal, key);
        o.out(`Policy "${p.name}" removed; its users now fall under the next matching policy or the default.`);
      }),
    );

  registerPolicyWhatIf(policy, ctx, run, { withSettingFlags, patchOf });
}

import type { Command } from 'commander';
import { DomainError } from '../../../core/errors.js';
import type { EvidenceRecord, LearnOutcome } from '../../../core/evidence/evidence.js';
import { evidenceFigures } from '../../shared/evidence-figures.js';
import type { CliContext } from '../cli-context.js';
import { printJson, printTable } from '../output.js';
import type { Runner } from '../run-command.js';

const VERDICTS = ['false-positive', 'confirmed-hijack'] as const;

/** What the unblock's learning did, in one sentence. */
function learningSentence(l: LearnOutcome): string | null {
  switch (l.state) {
    case 'none':
      return null;
    case 'learned':
      return `Rspamd learned ${l.learned} of ${l.messages} kept messages as ${l.kind} (${l.detail ?? 'no answer text'}).`;
    case 'failed':
      return `Learning failed after ${l.learned} of ${l.messages} messages: ${l.detail ?? 'unknown reason'}. The unblock stands.`;
    case 'nothing-kept':
      return 'No message was kept as evidence for this restriction, so Rspamd learned nothing.';
    case 'not-configured':
      return `Rspamd learned nothing: ${l.detail ?? 'no controller is configured'}`;
  }
}

/** sendwarden restricted list|unblock|evidence */
export function registerRestricted(program: Command, ctx: CliContext, run: Runner): void {
  const restricted = program
    .command('restricted')
    .description('Restricted users: senders stopped by the outbound spam policy');
  const o = ctx.output;

  restricted
    .command('list')
    .description('list restricted users; --search "rob" finds rob@contoso.com')
    .option('--search <text>', 'part of an email address, alias or name')
    .option('--json', 'machine-readable output: an array of restricted users')
    .action((opts: { search?: string; json?: boolean }) =>
      run(async (s) => {
        const rows = await s.restrictions.listRestricted(ctx.principal, opts.search);
        if (opts.json) {
          return printJson(
            o,
            rows.map(({ user, restriction: r }) => ({
              id: user.id,
              email: user.email,
              displayName: user.displayName,
              reason: r.evidence.summary,
              rule: r.evidence.rule,
              ...evidenceFigures(r.evidence),
              // Which scorers called the last message spam, and the scanner's symbols (issue 15).
              spamBy: r.evidence.verdicts?.[0]?.by ?? [],
              symbols: r.evidence.verdicts?.[0]?.symbols ?? [],
              kind: r.kind,
              restrictedAt: r.restrictedAt.toISOString(),
              releaseAt: r.releaseAt?.toISOString() ?? null,
            })),
          );
        }
        if (rows.length === 0)
          return o.out(
            opts.search ? `No restricted user matches "${opts.search}".` : 'No user is restricted from sending.',
          );
        printTable(
          o,
          ['EMAIL', 'REASON', 'RESTRICTED AT', 'RELEASE'],
          rows.map(({ user, restriction: r }) => [
            user.email,
            r.evidence.summary,
            r.restrictedAt.toISOString(),
            r.releaseAt?.toISOString() ?? 'until an admin unblocks',
          ]),
        );
      }),
    );

  restricted
    .command('unblock <user>')
    .description('let a restricted user send again, at once; reset their password first')
    .option('--yes', 'confirm the unblock (required)')
    .option(
      '--steps <list>',
      'steps already done, comma-separated: reset-password,revoke-sessions,revoke-app-passwords,require-totp,review-messages',
    )
    .option('--verdict <verdict>', 'false-positive (Rspamd learns the kept messages as ham) or confirmed-hijack (spam)')
    .option('--json', 'machine-readable output: the restriction and what learning did')
    .action((user: string, opts: { yes?: boolean; steps?: string; verdict?: string; json?: boolean }) =>
      run(async (s) => {
        // The core's sentence speaks of the API's {"confirm": true}; on the command line the confirmation is --yes.
        if (opts.yes !== true)
          throw new DomainError(
            'CONFIRMATION_REQUIRED',
            `Unblocking lets ${user} send email again at once. Add --yes to confirm: sendwarden restricted unblock ${user} --yes`,
          );
        const stepsDone = opts.steps
          ?.split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const verdict = opts.verdict === undefined ? undefined : VERDICTS.find((v) => v === opts.verdict);
        if (opts.verdict !== undefined && verdict === undefined)
          throw new DomainError(
            'INVALID_INPUT',
            `--verdict is false-positive or confirmed-hijack, not "${opts.verdict}".`,
          );
        const { learning } = await s.evidence.unblock(ctx.principal, user, {
          confirm: opts.yes === true,
          stepsDone,
          verdict,
        });
        if (opts.json) return printJson(o, { email: user, unblocked: true, learning });
        o.out(`${user} is unblocked and can send email again now.`);
        const sentence = learningSentence(learning);
        if (sentence !== null) o.out(sentence);
      }),
    );

  restricted
    .command('evidence <user>')
    .description("the messages kept as evidence for the user's newest restriction; --message ID prints one (audited)")
    .option('--message <id>', 'print this kept message as text')
    .option('--json', 'machine-readable output')
    .action((user: string, opts: { message?: string; json?: boolean }) =>
      run(async (s) => {
        if (opts.message !== undefined) {
          const kept = await s.evidence.open(ctx.principal, user, opts.message);
          // User content: terminal control sequences are shown as U+FFFD, never obeyed.
          const text = printable(Buffer.from(kept.raw).toString('utf8'));
          if (opts.json) return printJson(o, { ...evidenceJson(kept.record), text });
          o.out(text);
          if (kept.record.truncated) o.out(`[cut: only the first 1 MB of ${kept.record.size} bytes was kept]`);
          return;
        }
        const list = await s.evidence.list(ctx.principal, user);
        if (opts.json) return printJson(o, list.items.map(evidenceJson));
        if (list.items.length === 0) return o.out(`No message is kept as evidence for ${list.user.email}.`);
        printTable(
          o,
          ['id', 'at', 'subject', 'recipients', 'verdict', 'score'],
          list.items.map((r) => [
            r.id,
            r.at.toISOString(),
            printable(r.subject ?? '(no subject)'),
            printable(recipientsText(r)),
            r.scanner ? `${r.kind}, ${r.scanner.name} ${r.scanner.action}` : r.kind,
            r.scanner ? String(r.scanner.score) : String(r.spamScore),
          ]),
        );
      }),
    );
}

function recipientsText(r: EvidenceRecord): string {
  const more = r.recipientCount - r.recipients.length;
  return more > 0 ? `${r.recipients.join(', ')} (+${more})` : r.recipients.join(', ');
}

function evidenceJson(r: EvidenceRecord) {
  return {
    id: r.id,
    at: r.at.toISOString(),
    kind: r.kind,
    subject: r.subject,
    recipients: r.recipients,
    recipientCount: r.recipientCount,
    spamScore: r.spamScore,
    spamBy: r.spamBy,
    scanner: r.scanner,
    reason: r.reason,
    size: r.size,
    truncated: r.truncated,
  };
}

/** Drops terminal control characters (ESC sequences and the like) from user content; keeps tabs and line breaks. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\ufffd');
}

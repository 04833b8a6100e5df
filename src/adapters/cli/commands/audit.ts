import type { Command } from 'commander';
import { DomainError } from '../../../core/errors.js';
import { auditExportLines, type AuditExportFormat } from '../../shared/audit-export.js';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output.js';
import type { Runner } from '../run-command.js';

/** sysexits EX_DATAERR: the log does not verify. */
const EXIT_BROKEN = 65;

function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new DomainError(
      'INVALID_INPUT',
      `--since "${value}" is not a date or time; use ISO 8601, e.g. 2026-12-01 or 2026-12-01T14:00:00Z.`,
    );
  return d;
}

/** sendwarden audit verify | export | restart-checkpoints */
export function registerAudit(program: Command, ctx: CliContext, run: Runner): void {
  const o = ctx.output;
  const audit = program.command('audit').description('the tamper-evident audit log');

  audit
    .command('verify')
    .description(
      'check the keyed chain and the newest checkpoint; exit 0 only if nothing was changed, removed or forged',
    )
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      run(async (s) => {
        const v = await s.audit.verify();
        if (opts.json)
          printJson(o, {
            ok: v.ok,
            entries: v.count,
            problem: v.problem ?? null,
            brokenEntry: v.seq ?? null,
            reason: v.reason ?? null,
            message: v.sentence,
            checkpoint: v.checkpoint ?? null,
            checkpointFile: v.checkpointFile,
          });
        else if (v.ok) o.out(v.sentence);
        else o.err(v.sentence);
        return v.ok ? 0 : EXIT_BROKEN;
      }),
    );

  audit
    .command('export')
    .description('the audit log for a SIEM, streamed to stdout with hashes and the newest signed checkpoint')
    .option('--since <time>', 'only entries at or after this time (ISO 8601)')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .action((opts: { since?: string; format: string }) =>
      run(async (s) => {
        if (opts.format !== 'jsonl' && opts.format !== 'csv')
          throw new DomainError('INVALID_INPUT', `--format "${opts.format}" is not known; use jsonl or csv.`);
        const format: AuditExportFormat = opts.format;
        const since = parseSince(opts.since);
        const lines = auditExportLines(format, s.audit.all(ctx.principal, since), () =>
          s.audit.latestCheckpoint(ctx.principal),
        );
        for await (const line of lines) o.out(line.slice(0, -1));
      }),
    );

  audit
    .command('restart-checkpoints')
    .description('start a new checkpoint file after the old one was lost (audited); check the log first')
    .action(() =>
      run(async (s) => {
        const outcome = await s.restartCheckpoints(ctx.principal);
        if (outcome.kind === 'refused') {
          o.err(`Checkpoints not restarted: ${outcome.reason}.`);
          return EXIT_BROKEN;
        }
        o.out(
          outcome.kind === 'written'
            ? `A new checkpoint file starts at entry ${outcome.checkpoint.seq}; the restart is in the audit log.`
            : 'The audit log is empty; the checkpoint file starts with its first entry.',
        );
      }),
    );
}

import type { AuditEntry } from '../../core/audit/audit-event.js';
import type { SignedCheckpoint } from '../../core/audit/checkpoint.js';

/** The export formats of `sendwarden audit export` and GET /api/v1/audit-log/export. */
export type AuditExportFormat = 'jsonl' | 'csv';

/** Every field an outside system needs to re-check the chain: seq, prevHash, hash and keyId included. */
function record(e: AuditEntry) {
  return {
    type: 'entry' as const,
    seq: e.seq,
    at: e.at.toISOString(),
    actor: { kind: e.actor.kind, id: e.actor.id, label: e.actor.label, address: e.actor.address ?? null },
    action: e.action,
    target: e.target,
    before: e.before ?? null,
    after: e.after ?? null,
    prevHash: e.prevHash,
    hash: e.hash,
    keyId: e.keyId ?? null,
  };
}

/** A CSV cell: quoted, and defused when a spreadsheet would run it as a formula (CSV injection). */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

const CSV_HEADER = [
  'type',
  'seq',
  'at',
  'actor_kind',
  'actor_id',
  'actor',
  'address',
  'action',
  'target',
  'before',
  'after',
  'prev_hash',
  'hash',
  'key_id',
  'signature',
];

/**
 * The export, one line at a time (each ends with its newline), so it streams: the entries in seq
 * order, then the newest signed checkpoint (type "checkpoint": seq, hash, at, sig) when there is one.
 */
export async function* auditExportLines(
  format: AuditExportFormat,
  entries: AsyncIterable<AuditEntry>,
  checkpoint: () => Promise<SignedCheckpoint | undefined>,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_HEADER.join(',')}\r\n`;
  for await (const e of entries) {
    const r = record(e);
    if (format === 'jsonl') yield `${JSON.stringify(r)}\n`;
    else
      yield `${[
        r.type,
        r.seq,
        r.at,
        r.actor.kind,
        r.actor.id,
        r.actor.label,
        r.actor.address,
        r.action,
        r.target,
        r.before,
        r.after,
        r.prevHash,
        r.hash,
        r.keyId,
        '',
      ]
        .map(csvCell)
        .join(',')}\r\n`;
  }
  // The newest checkpoint at the end of the export (it may name entries appended meanwhile).
  const cp = await checkpoint();
  if (cp === undefined) return;
  if (format === 'jsonl') yield `${JSON.stringify({ type: 'checkpoint', ...cp })}\n`;
  else
    yield `${['checkpoint', cp.seq, cp.at, '', '', '', '', '', '', '', '', '', cp.hash, '', cp.sig].map(csvCell).join(',')}\r\n`;
}

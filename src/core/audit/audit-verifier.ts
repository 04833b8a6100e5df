import type { CheckpointFile } from '../../ports/audit-checkpoints.js';
import type { AuditEntry } from './audit-event.js';
import { ChainWalker, type ChainKeys } from './chain.js';
import { readCheckpoints, type SignedCheckpoint } from './checkpoint.js';

/** What can be wrong with the audit log, beyond "ok". */
export type AuditProblem =
  | 'chain'
  | 'wrong-secret'
  | 'tail-removed'
  | 'emptied'
  | 'rewritten'
  | 'checkpoint-edited'
  | 'checkpoint-missing'
  | 'unsealed';

/** The result of `audit verify`: a sentence a person can act on, and the facts behind it. */
export interface AuditVerdict {
  readonly ok: boolean;
  /** Entries that verified (up to the first broken one). */
  readonly count: number;
  readonly sentence: string;
  readonly problem?: AuditProblem | undefined;
  /** The first entry that does not verify, when one is to blame. */
  readonly seq?: number | undefined;
  readonly reason?: string | undefined;
  /** The newest valid checkpoint, if the file holds one. */
  readonly checkpoint?: SignedCheckpoint | undefined;
  /** Where the checkpoint file is. */
  readonly checkpointFile: string;
}

/** `2026-12-01 14:02:07 UTC` */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** What verifyAuditLog needs: the entries in seq order, the chain keys and the checkpoint file. */
export interface VerifyInput {
  readonly entries: AsyncIterable<AuditEntry>;
  readonly keys: ChainKeys;
  /** HMAC with the checkpoint key. */
  readonly checkpointSign: (text: string) => string;
  readonly safeEqual: (a: string, b: string) => boolean;
  readonly checkpoints: CheckpointFile;
}

/**
 * Walks the whole chain and holds it against the newest checkpoint: a broken entry is named
 * first (a wrong secret as such), then a log shorter than a checkpoint says (tail removed,
 * emptied), a hash that differs from the checkpoint's, and an edited or missing checkpoint file.
 */
export async function verifyAuditLog(input: VerifyInput): Promise<AuditVerdict> {
  const where = input.checkpoints.where;
  const lines = await input.checkpoints.read();
  const file = lines === null ? undefined : readCheckpoints(input.checkpointSign, input.safeEqual, lines);
  const latest = file?.ok ? file.latest : undefined;
  const walker = new ChainWalker(input.keys);
  let hashAtCheckpoint: string | undefined;
  for await (const e of input.entries) {
    if (!walker.add(e)) break;
    if (latest !== undefined && e.seq === latest.seq) hashAtCheckpoint = e.hash;
  }
  const chain = walker.verdict();
  const count = walker.head.count;
  const base = { count, checkpointFile: where, checkpoint: latest };
  const broken = (problem: AuditProblem, sentence: string, seq?: number, reason?: string): AuditVerdict => ({
    ...base,
    ok: false,
    problem,
    sentence,
    seq,
    reason,
  });

  if (!chain.ok && chain.fault === 'wrong-key')
    return broken('wrong-secret', `Audit log NOT VERIFIED: ${chain.reason}.`, chain.seq, chain.reason);
  if (file !== undefined && !file.ok)
    return broken(
      'checkpoint-edited',
      `Audit log NOT VERIFIED: the checkpoint file ${where} was edited: ${file.reason}.`,
      undefined,
      file.reason,
    );
  if (!chain.ok)
    return broken('chain', `Audit log BROKEN at entry ${chain.seq}: ${chain.reason}.`, chain.seq, chain.reason);
  if (latest !== undefined) {
    const said = `a checkpoint from ${formatUtc(latest.at)} says ${latest.seq} ${latest.seq === 1 ? 'entry' : 'entries'} existed`;
    if (count === 0) return broken('emptied', `Audit log BROKEN: the log is empty; ${said}.`);
    if (count < latest.seq) {
      const gone = count + 1 === latest.seq ? `entry ${latest.seq} was` : `entries ${count + 1} to ${latest.seq} were`;
      return broken('tail-removed', `Audit log BROKEN: the log ends at ${count}; ${said} (${gone} removed).`);
    }
    if (hashAtCheckpoint !== latest.hash)
      return broken(
        'rewritten',
        `Audit log BROKEN at entry ${latest.seq}: its hash differs from the checkpoint from ${formatUtc(latest.at)} (the log was rewritten).`,
        latest.seq,
      );
  }
  if (count > 0 && !walker.isKeyed)
    return broken(
      'unsealed',
      `Audit log NOT VERIFIED: its ${count} entries are plain SHA-256 with no keyed transition entry; start Sendwarden once with its secret to seal them.`,
    );
  if (count > 0 && lines === null)
    return broken(
      'checkpoint-missing',
      `Audit log NOT VERIFIED: the checkpoint file ${where} is missing (removed?); nothing outside the database vouches for the ${count} entries.`,
    );
  if (count > 0 && latest === undefined)
    return broken(
      'checkpoint-missing',
      `Audit log NOT VERIFIED: the checkpoint file ${where} holds no checkpoint; nothing outside the database vouches for the ${count} entries.`,
    );
  const tail =
    latest === undefined ? '' : `; the newest checkpoint (entry ${latest.seq}, ${formatUtc(latest.at)}) matches`;
  return {
    ...base,
    ok: true,
    sentence: `Audit log intact: ${count} ${count === 1 ? 'entry' : 'entries'} verified${tail}.`,
  };
}

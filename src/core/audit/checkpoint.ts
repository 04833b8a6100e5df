import type { Sha256 } from './chain.js';

/**
 * An anchor of the audit log outside the database: "at `at`, the log had `seq` entries and entry
 * `seq` had hash `hash`". Signed with a key derived from SENDWARDEN_SECRET (not the chain key), so
 * a checkpoint cannot be made up by someone who can write the data folder but lacks the secret.
 */
export interface Checkpoint {
  /** Sequence number of the newest entry; the log had exactly this many entries. */
  readonly seq: number;
  readonly hash: string;
  readonly at: Date;
}

/** A checkpoint as it travels: in the checkpoint file, the log line, the webhook and the export. */
export interface SignedCheckpoint {
  readonly seq: number;
  readonly hash: string;
  /** ISO 8601 UTC. */
  readonly at: string;
  /** HMAC-SHA-256 hex over `sendwarden:checkpoint\nseq\nhash\nat` with the checkpoint key. */
  readonly sig: string;
}

function signedText(seq: number, hash: string, at: string): string {
  return `sendwarden:checkpoint\n${seq}\n${hash}\n${at}`;
}

/** Signs a checkpoint with `sign` (HMAC with the checkpoint key). */
export function signCheckpoint(sign: Sha256, cp: Checkpoint): SignedCheckpoint {
  const at = cp.at.toISOString();
  return { seq: cp.seq, hash: cp.hash, at, sig: sign(signedText(cp.seq, cp.hash, at)) };
}

/** One line of the checkpoint file (JSON, no newline). */
export function formatCheckpoint(cp: SignedCheckpoint): string {
  return JSON.stringify({ seq: cp.seq, hash: cp.hash, at: cp.at, sig: cp.sig });
}

/** What the checkpoint file says: the newest valid checkpoint, or the first line that is not one. */
export type CheckpointFileVerdict =
  | { readonly ok: true; readonly latest: SignedCheckpoint | undefined; readonly count: number }
  | { readonly ok: false; readonly line: number; readonly reason: string; readonly isSignatureOnly: boolean };

function parseLine(text: string): SignedCheckpoint | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (
      typeof v.seq === 'number' &&
      Number.isSafeInteger(v.seq) &&
      v.seq >= 0 &&
      typeof v.hash === 'string' &&
      typeof v.at === 'string' &&
      typeof v.sig === 'string' &&
      !Number.isNaN(Date.parse(v.at))
    )
      return { seq: v.seq, hash: v.hash, at: v.at, sig: v.sig };
  } catch {
    // Not JSON: reported below as an edited line.
  }
  return undefined;
}

/**
 * Checks every line of the checkpoint file: each must be a checkpoint with a valid signature
 * (`safeEqual` compares in constant time). The newest is the one with the highest seq: a CLI
 * process and the server append to the same file, so lines need not be in seq order.
 */
export function readCheckpoints(
  sign: Sha256,
  safeEqual: (a: string, b: string) => boolean,
  lines: readonly string[],
): CheckpointFileVerdict {
  let latest: SignedCheckpoint | undefined;
  let count = 0;
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const cp = parseLine(raw);
    if (cp === undefined)
      return { ok: false, line: i + 1, reason: `line ${i + 1} is not a checkpoint`, isSignatureOnly: false };
    if (!safeEqual(sign(signedText(cp.seq, cp.hash, cp.at)), cp.sig))
      return {
        ok: false,
        line: i + 1,
        reason: `line ${i + 1} (entry ${cp.seq}) does not carry a valid signature`,
        isSignatureOnly: true,
      };
    count += 1;
    if (latest === undefined || cp.seq >= latest.seq) latest = cp;
  }
  return { ok: true, latest, count };
}

import type { AuditEntry, AuditEventInput } from './audit-event.js';

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** A SHA-256 hex digest function; injected so the core stays free of node:crypto. */
export type Sha256 = (text: string) => string;

function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of an entry: SHA-256 over the previous hash, the sequence number and the canonical JSON of the event. */
export function chainHash(sha256: Sha256, prevHash: string, seq: number, event: AuditEventInput): string {
  const body = canonical({
    seq,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target,
    before: event.before ?? null,
    after: event.after ?? null,
  });
  return sha256(`${prevHash}\n${body}`);
}

/** Result of walking the chain: ok, or the first entry that does not fit. */
export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly seq: number; readonly reason: string };

/** Checks entries in seq order: consecutive numbers, each prevHash the previous hash, each hash recomputed. */
export function verifyChain(sha256: Sha256, entries: Iterable<AuditEntry>): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const e of entries) {
    if (e.seq !== expectedSeq)
      return {
        ok: false,
        seq: e.seq,
        reason: `expected entry ${expectedSeq}, found ${e.seq} (an entry is missing or was inserted)`,
      };
    if (e.prevHash !== prev)
      return { ok: false, seq: e.seq, reason: `entry ${e.seq} does not point at the hash of entry ${e.seq - 1}` };
    if (chainHash(sha256, e.prevHash, e.seq, e) !== e.hash)
      return { ok: false, seq: e.seq, reason: `entry ${e.seq} was changed after it was written` };
    prev = e.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count };
}

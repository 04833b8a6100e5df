import type { AuditAction } from './audit-actions.js';
import type { AuditEntry, AuditEventInput } from './audit-event.js';

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** A hex digest function (SHA-256, or HMAC-SHA-256 with a server key); injected so the core stays free of node:crypto. */
export type Sha256 = (text: string) => string;

/** The action of the entry that starts the keyed chain after plain SHA-256 entries (schema 5). */
export const CHAIN_KEYED_ACTION = 'audit.chain-keyed' satisfies AuditAction;

/**
 * How the chain is hashed. `mac` is HMAC-SHA-256 with a key derived from SENDWARDEN_SECRET, so
 * whoever can write the database but lacks the secret cannot forge or recompute an entry; `legacy`
 * is the plain SHA-256 of entries written before schema 5; `keyId` names the key (chainKeyId).
 */
export interface ChainKeys {
  readonly mac: Sha256;
  readonly legacy: Sha256;
  readonly keyId: string;
}

/** A short public id of a chain key (16 hex), stored with each entry so a wrong secret is named as such. */
export function chainKeyId(mac: Sha256): string {
  return mac('sendwarden:audit-key-id').slice(0, 16);
}

/** Keys where one function serves both schemes (tests, and callers that pass only a digest). */
export function chainKeysOf(keys: ChainKeys | Sha256): ChainKeys {
  return typeof keys === 'function' ? { mac: keys, legacy: keys, keyId: chainKeyId(keys) } : keys;
}

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

/** The hash of an entry: `digest` over the previous hash, the sequence number and the canonical JSON of the event. */
export function chainHash(digest: Sha256, prevHash: string, seq: number, event: AuditEventInput): string {
  const body = canonical({
    seq,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target,
    before: event.before ?? null,
    after: event.after ?? null,
  });
  return digest(`${prevHash}\n${body}`);
}

/** Why the chain does not verify; `wrong-key` means SENDWARDEN_SECRET is not the one that wrote the log. */
export type ChainFault = 'gap' | 'link' | 'changed' | 'forged' | 'legacy-after-keyed' | 'transition' | 'wrong-key';

/** Result of walking the chain: ok (with the head), or the first entry that does not fit. */
export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly seq: number; readonly reason: string; readonly fault?: ChainFault };

/** Incremental chain check, so a million entries need not sit in memory. */
export class ChainWalker {
  readonly #keys: ChainKeys;
  #prev = GENESIS_HASH;
  #expectedSeq = 1;
  #count = 0;
  #keyed = false;
  #failure: (ChainVerdict & { ok: false }) | undefined;

  constructor(keys: ChainKeys | Sha256) {
    this.#keys = chainKeysOf(keys);
  }

  /** The first failure so far, if any. */
  get failure(): (ChainVerdict & { ok: false }) | undefined {
    return this.#failure;
  }

  /** Number of entries walked, and the last hash (GENESIS_HASH before the first). */
  get head(): { readonly count: number; readonly hash: string } {
    return { count: this.#count, hash: this.#prev };
  }

  /** True once a keyed entry was walked (a log of only plain SHA-256 entries was never sealed). */
  get isKeyed(): boolean {
    return this.#keyed;
  }

  /** Checks the next entry; returns false once the chain is broken (later entries are ignored). */
  add(e: AuditEntry): boolean {
    if (this.#failure) return false;
    const fail = (fault: ChainFault, reason: string): false => {
      this.#failure = { ok: false, seq: e.seq, reason, fault };
      return false;
    };
    if (e.seq !== this.#expectedSeq)
      return fail(
        'gap',
        `expected entry ${this.#expectedSeq}, found ${e.seq} (an entry is missing, was moved or was inserted)`,
      );
    if (e.prevHash !== this.#prev)
      return fail('link', `entry ${e.seq} does not point at the hash of entry ${e.seq - 1}`);
    if (e.keyId === undefined) {
      if (this.#keyed)
        return fail(
          'legacy-after-keyed',
          `entry ${e.seq} claims the unkeyed SHA-256 scheme after the log was keyed; it was not written by Sendwarden`,
        );
      if (chainHash(this.#keys.legacy, e.prevHash, e.seq, e) !== e.hash)
        return fail('changed', `entry ${e.seq} was changed after it was written`);
    } else {
      const isFirstKeyed = !this.#keyed;
      if (chainHash(this.#keys.mac, e.prevHash, e.seq, e) !== e.hash) {
        if (e.keyId !== this.#keys.keyId && isFirstKeyed)
          return fail(
            'wrong-key',
            `SENDWARDEN_SECRET is not the secret this audit log was written with (entry ${e.seq} carries key ${e.keyId}, this secret gives key ${this.#keys.keyId})`,
          );
        return fail(
          e.keyId === this.#keys.keyId ? 'changed' : 'forged',
          e.keyId === this.#keys.keyId
            ? `entry ${e.seq} was changed after it was written, or forged (its keyed hash does not match)`
            : `entry ${e.seq} was not written by Sendwarden: its hash is not keyed with this log's secret (forged or recomputed)`,
        );
      }
      if (isFirstKeyed && e.seq > 1) {
        const after = e.after ?? {};
        if (e.action !== CHAIN_KEYED_ACTION || after.legacyEntries !== e.seq - 1 || after.legacyHead !== e.prevHash)
          return fail('transition', `entry ${e.seq} follows unkeyed entries but is not a valid keyed transition entry`);
      }
      this.#keyed = true;
    }
    this.#prev = e.hash;
    this.#expectedSeq += 1;
    this.#count += 1;
    return true;
  }

  /** The verdict after the last entry. */
  verdict(): ChainVerdict {
    if (this.#failure) return this.#failure;
    return { ok: true, count: this.#count };
  }
}

/**
 * Checks entries in seq order: consecutive numbers, each prevHash the previous hash, each hash
 * recomputed with its scheme's key, plain SHA-256 only before the keyed transition entry.
 */
export function verifyChain(keys: ChainKeys | Sha256, entries: Iterable<AuditEntry>): ChainVerdict {
  const walker = new ChainWalker(keys);
  for (const e of entries) if (!walker.add(e)) break;
  return walker.verdict();
}

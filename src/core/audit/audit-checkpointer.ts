import type { CheckpointFile } from '../../ports/audit-checkpoints.js';
import type { Clock } from '../../ports/clock.js';
import type { AuditLog } from '../../ports/stores.js';
import { formatCheckpoint, readCheckpoints, signCheckpoint, type SignedCheckpoint } from './checkpoint.js';

/** What one checkpoint attempt did. `refused` means the log no longer fits the last checkpoint. */
export type CheckpointOutcome =
  | { readonly kind: 'written'; readonly checkpoint: SignedCheckpoint }
  | { readonly kind: 'unchanged' | 'empty' }
  | { readonly kind: 'refused'; readonly reason: string };

/** The checkpointer's ports, one by one. */
export interface CheckpointerDeps {
  readonly log: Pick<AuditLog, 'head' | 'hashAt'>;
  readonly file: CheckpointFile;
  /** HMAC with the checkpoint key (not the chain key). */
  readonly sign: (text: string) => string;
  readonly safeEqual: (a: string, b: string) => boolean;
  readonly clock: Clock;
  /** Told about every checkpoint written (the log line, the webhook); must not throw. */
  readonly onWritten?: ((cp: SignedCheckpoint) => void) | undefined;
  /** Told when a checkpoint is refused or cannot be written; must not throw. */
  readonly onProblem?: ((reason: string, cause?: unknown) => void) | undefined;
}

/**
 * Writes a signed checkpoint of the audit log's head after entries are committed (requested by the
 * store) and on a timer. It never writes a checkpoint that would bless a shrunk or rewritten log:
 * when the head is behind, or the entry at the last checkpoint has another hash, it refuses and
 * says so, and `audit verify` reports the same. Attempts run one at a time; requests made during
 * one collapse into a single next attempt.
 */
export class AuditCheckpointer {
  readonly #deps: CheckpointerDeps;
  #last: SignedCheckpoint | undefined;
  #loaded = false;
  #mayCreate = false;
  #running: Promise<CheckpointOutcome> | undefined;
  #again = false;

  constructor(deps: CheckpointerDeps) {
    this.#deps = deps;
  }

  /**
   * Reads the checkpoint file and the head once, before anything is appended (start-up). A missing
   * file may be created only when the log is empty or not yet keyed (a first start, or the first
   * start after migrating): a file missing beside a keyed log was removed, and recreating it
   * silently would hide that (and any tail removed with it). `restart` is the audited way back.
   */
  async prime(): Promise<void> {
    await this.flush();
    if (this.#loaded) return;
    const lines = await this.#deps.file.read();
    if (lines === null) {
      const head = await this.#deps.log.head();
      this.#mayCreate = head === undefined || head.keyId === undefined;
    }
    if (lines !== null) this.#load(lines);
    this.#loaded = true;
  }

  /**
   * After an admin decided the old checkpoint file is lost (sendwarden audit restart-checkpoints):
   * `record` appends the audited entry saying so, and a new file starts with it. A file that exists
   * is kept (an edited one stays refused until it is moved away).
   */
  async restart(record: () => Promise<unknown>): Promise<CheckpointOutcome> {
    await this.flush();
    this.#mayCreate = true;
    this.#last = undefined;
    await record();
    await this.flush();
    const outcome = await this.checkpoint();
    const last = this.#last;
    return outcome.kind === 'unchanged' && last !== undefined ? { kind: 'written', checkpoint: last } : outcome;
  }

  #load(lines: readonly string[]): string | undefined {
    const verdict = readCheckpoints(this.#deps.sign, this.#deps.safeEqual, lines);
    if (!verdict.ok) return `the checkpoint file ${this.#deps.file.where} was edited: ${verdict.reason}`;
    this.#last = verdict.latest;
    return undefined;
  }

  /** Asks for a checkpoint soon; never throws (problems go to onProblem). */
  request(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.checkpoint();
  }

  /** Waits until no attempt is running or pending (before the process exits). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** One attempt now (after the running one). */
  async checkpoint(): Promise<CheckpointOutcome> {
    while (this.#running) await this.#running;
    this.#running = this.#attempt().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    });
    return this.#running;
  }

  async #attempt(): Promise<CheckpointOutcome> {
    try {
      const outcome = await this.#decide();
      if (outcome.kind === 'refused') this.#deps.onProblem?.(outcome.reason);
      return outcome;
    } catch (err) {
      const reason = `the audit checkpoint could not be written to ${this.#deps.file.where}`;
      this.#deps.onProblem?.(reason, err);
      return { kind: 'refused', reason };
    }
  }

  async #decide(): Promise<CheckpointOutcome> {
    const { file, log } = this.#deps;
    const missing: CheckpointOutcome = {
      kind: 'refused',
      reason: `the checkpoint file ${file.where} is missing (removed?); after checking the log, run "sendwarden audit restart-checkpoints" to start a new one`,
    };
    // Once a checkpoint is known the file is not read again (it grows by a line per entry).
    if (this.#last === undefined) {
      const lines = await file.read();
      if (lines === null && !this.#mayCreate) return missing;
      if (lines !== null) {
        const edited = this.#load(lines);
        if (edited !== undefined) return { kind: 'refused', reason: edited };
      }
    }
    this.#loaded = true;
    const head = await log.head();
    const last = this.#last;
    if (head === undefined) {
      if (last === undefined) return { kind: 'empty' };
      return { kind: 'refused', reason: `the audit log is empty, but a checkpoint says ${last.seq} entries existed` };
    }
    if (last !== undefined) {
      if (head.seq < last.seq)
        return {
          kind: 'refused',
          reason: `the audit log ends at ${head.seq}, but a checkpoint says ${last.seq} entries existed`,
        };
      if (head.seq === last.seq && head.hash === last.hash) return { kind: 'unchanged' };
      if ((await log.hashAt(last.seq)) !== last.hash)
        return { kind: 'refused', reason: `entry ${last.seq} no longer has the hash its checkpoint recorded` };
    }
    const cp = signCheckpoint(this.#deps.sign, { seq: head.seq, hash: head.hash, at: this.#deps.clock.now() });
    // Only a first checkpoint may create the file: one removed while we run stays reported as removed.
    const created = await file.append(formatCheckpoint(cp), this.#last === undefined && this.#mayCreate);
    if (!created) return missing;
    this.#last = cp;
    this.#deps.onWritten?.(cp);
    return { kind: 'written', checkpoint: cp };
  }
}

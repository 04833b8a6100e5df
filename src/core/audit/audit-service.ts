import type { CheckpointFile } from '../../ports/audit-checkpoints.js';
import type { Clock } from '../../ports/clock.js';
import type { AuditLog, AuditQuery, Page } from '../../ports/stores.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import type { AuditAction } from './audit-actions.js';
import type { AuditEntry } from './audit-event.js';
import { verifyAuditLog, type AuditVerdict } from './audit-verifier.js';
import type { ChainKeys } from './chain.js';
import { readCheckpoints, type SignedCheckpoint } from './checkpoint.js';

/** The audit service's ports, one by one. */
export interface AuditServiceDeps {
  /** The store's audit log outside any transaction. */
  readonly log: AuditLog;
  readonly keys: ChainKeys;
  readonly clock: Clock;
  readonly safeEqual: (a: string, b: string) => boolean;
  /** HMAC with the checkpoint key. */
  readonly checkpointSign: (text: string) => string;
  /** The checkpoint file; without one (unit tests), verify checks the chain only. */
  readonly checkpoints?: CheckpointFile | undefined;
}

const NO_FILE: CheckpointFile = {
  where: '(no checkpoint file configured)',
  read: () => Promise.resolve([]),
  append: () => Promise.resolve(false),
};

/** Reading, exporting and verifying the audit log. Writing happens in each use case's own unit of work. */
export class AuditService {
  readonly #deps: AuditServiceDeps;

  constructor(deps: AuditServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Records a refused admin call (the role lacked the permission): a helpdesk account probing
   * unblock or an admin's password is exactly what a security admin wants to see.
   */
  async recordDenied(p: Principal, permission: string, target: string): Promise<void> {
    await this.#deps.log.append({
      at: this.#deps.clock.now(),
      actor: p.actor,
      action: 'access.denied' satisfies AuditAction,
      target,
      after: { permission },
    });
  }

  /** audit.read; newest first. */
  async list(p: Principal, query: AuditQuery): Promise<Page<AuditEntry>> {
    authorize({ actorRoles: p.roles, action: 'audit.read' });
    return this.#deps.log.list(query);
  }

  /** audit.read; every entry in seq order, from `since` on (export). */
  async *all(p: Principal, since?: Date): AsyncIterable<AuditEntry> {
    authorize({ actorRoles: p.roles, action: 'audit.read' });
    yield* this.#deps.log.all(since);
  }

  /** audit.read; the newest valid checkpoint, so an export carries its anchor (undefined if none). */
  async latestCheckpoint(p: Principal): Promise<SignedCheckpoint | undefined> {
    authorize({ actorRoles: p.roles, action: 'audit.read' });
    const lines = await (this.#deps.checkpoints ?? NO_FILE).read();
    if (lines === null) return undefined;
    const verdict = readCheckpoints(this.#deps.checkpointSign, this.#deps.safeEqual, lines);
    return verdict.ok ? verdict.latest : undefined;
  }

  /** Writes the keyed transition entry if the store was migrated from plain SHA-256 (at start-up). */
  async seal(): Promise<AuditEntry | undefined> {
    return this.#deps.log.seal(this.#deps.clock.now());
  }

  /**
   * Walks the whole chain and checks it against the newest checkpoint: ok only if no entry was
   * changed, removed, inserted or forged and the log is not shorter than a checkpoint says.
   * Without a checkpoint file (unit tests) only the chain is checked.
   */
  async verify(): Promise<AuditVerdict> {
    const verdict = await verifyAuditLog({
      entries: this.#deps.log.all(),
      keys: this.#deps.keys,
      checkpointSign: this.#deps.checkpointSign,
      safeEqual: this.#deps.safeEqual,
      checkpoints: this.#deps.checkpoints ?? NO_FILE,
    });
    if (this.#deps.checkpoints === undefined && verdict.problem === 'checkpoint-missing')
      return {
        ...verdict,
        ok: true,
        problem: undefined,
        sentence: `Audit log intact: ${verdict.count} entries verified.`,
      };
    return verdict;
  }

  /** Appends "audit.checkpoints-restarted": an admin started a new checkpoint file (the CLI operator only). */
  async recordCheckpointsRestarted(p: Principal): Promise<void> {
    await this.#deps.log.append({
      at: this.#deps.clock.now(),
      actor: p.actor,
      action: 'audit.checkpoints-restarted' satisfies AuditAction,
      target: 'audit-log',
      after: { file: (this.#deps.checkpoints ?? NO_FILE).where },
    });
  }

  /** audit.read; verify() for a signed-in admin or token, audited as "audit.verified" with the outcome. */
  async verifyAs(p: Principal): Promise<AuditVerdict> {
    authorize({ actorRoles: p.roles, action: 'audit.read' });
    const verdict = await this.verify();
    await this.#deps.log.append({
      at: this.#deps.clock.now(),
      actor: p.actor,
      action: 'audit.verified' satisfies AuditAction,
      target: 'audit-log',
      after: { ok: verdict.ok, entries: verdict.count, ...(verdict.problem ? { problem: verdict.problem } : {}) },
    });
    return verdict;
  }
}

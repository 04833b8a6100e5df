import type { Clock } from '../../ports/clock.js';
import type { Sha256 } from '../../ports/password-hasher.js';
import type { AuditLog, AuditQuery, Page } from '../../ports/stores.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import type { AuditEntry } from './audit-event.js';
import { verifyChain, type ChainVerdict } from './chain.js';

/** Reading and verifying the audit log. Writing happens in each use case's own unit of work. */
export class AuditService {
  readonly #log: AuditLog;
  readonly #sha256: Sha256;
  readonly #clock: Clock;

  /** `log` is the store's audit log outside any transaction. */
  constructor(log: AuditLog, sha256: Sha256, clock: Clock) {
    this.#log = log;
    this.#sha256 = sha256;
    this.#clock = clock;
  }

  /**
   * Records a refused admin call (the role lacked the permission): a helpdesk account probing
   * unblock or an admin's password is exactly what a security admin wants to see.
   */
  async recordDenied(p: Principal, permission: string, target: string): Promise<void> {
    await this.#log.append({
      at: this.#clock.now(),
      actor: p.actor,
      action: 'access.denied',
      target,
      after: { permission },
    });
  }

  /** audit.read; newest first. */
  async list(p: Principal, query: AuditQuery): Promise<Page<AuditEntry>> {
    authorize({ actorRoles: p.roles, action: 'audit.read' });
    return this.#log.list(query);
  }

  /** audit.read; every entry in order (for CSV export). */
  async *all(p: Principal): AsyncIterable<AuditEntry> {
    authorize({ actorRoles: p.roles, action: 'audit.read' });
    yield* this.#log.all();
  }

  /** Walks the whole chain: ok only if no entry was changed, removed or inserted. */
  async verify(): Promise<ChainVerdict> {
    const entries: AuditEntry[] = [];
    for await (const e of this.#log.all()) entries.push(e);
    return verifyChain(this.#sha256, entries);
  }
}

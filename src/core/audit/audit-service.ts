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

  /** `log` is the store's audit log outside any transaction (reads only). */
  constructor(log: AuditLog, sha256: Sha256) {
    this.#log = log;
    this.#sha256 = sha256;
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

import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize, can } from '../roles/roles.js';
import type { Outbox, OutboxEntry } from '../../ports/relay.js';
import type { MessageLog, Page } from '../../ports/stores.js';
import type { MessageRecord } from '../sending/message-record.js';

/** The ports MessageReader reads: the message log's read side and, when mail is captured, the outbox. */
export interface MessageReaderDeps {
  readonly messages: Pick<MessageLog, 'list' | 'hourlyCounts' | 'topSenders'>;
  /** The capture outbox; undefined when a next hop is configured (nothing is captured). */
  readonly outbox?: Outbox | undefined;
}

/**
 * Who may read the message log ("messages.read") and the capture outbox ("outbox.read"), and the
 * reads themselves. Listing calls throw FORBIDDEN without the permission; the calls that feed a
 * page showing other things too (a restriction's evidence, the Home chart) answer empty instead.
 */
export class MessageReader {
  readonly #deps: MessageReaderDeps;

  constructor(deps: MessageReaderDeps) {
    this.#deps = deps;
  }

  /** One user's messages, newest first. Throws FORBIDDEN without "messages.read". */
  async listForUser(
    p: Principal,
    userId: string,
    page: { readonly offset?: number | undefined; readonly limit: number },
  ): Promise<Page<MessageRecord>> {
    authorize({ actorRoles: p.roles, action: 'messages.read' });
    return this.#deps.messages.list({ userId, offset: page.offset, limit: page.limit });
  }

  /** A user's latest `limit` messages as evidence, or none when the principal may not read the message log. */
  async recentEvidence(p: Principal, userId: string, limit: number): Promise<readonly MessageRecord[]> {
    if (!this.#mayReadLog(p)) return [];
    return (await this.listForUser(p, userId, { offset: 0, limit })).items;
  }

  /** Messages per hour and outcome since `since`; none when the principal may not read the message log. */
  async hourlyCounts(p: Principal, since: Date): Promise<readonly { hour: Date; outcome: string; count: number }[]> {
    return this.#mayReadLog(p) ? this.#deps.messages.hourlyCounts(since) : [];
  }

  /** The `limit` busiest senders since `since`; none when the principal may not read the message log. */
  async topSenders(p: Principal, since: Date, limit: number): Promise<readonly { sender: string; count: number }[]> {
    return this.#mayReadLog(p) ? this.#deps.messages.topSenders(since, limit) : [];
  }

  /** The captured messages, newest first (empty when nothing is captured). Throws FORBIDDEN without "outbox.read". */
  async listOutbox(p: Principal): Promise<readonly OutboxEntry[]> {
    authorize({ actorRoles: p.roles, action: 'outbox.read' });
    const entries = this.#deps.outbox ? await this.#deps.outbox.list() : [];
    return [...entries].sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  /** One captured message and its raw bytes. Throws FORBIDDEN without "outbox.read", NOT_FOUND for an unknown id. */
  async readOutbox(p: Principal, id: string): Promise<{ readonly entry: OutboxEntry; readonly raw: Buffer }> {
    authorize({ actorRoles: p.roles, action: 'outbox.read' });
    const found = this.#deps.outbox ? await this.#deps.outbox.read(id).catch(notFoundAsUndefined) : undefined;
    if (!found) throw new DomainError('NOT_FOUND', `There is no captured message "${id}".`);
    return found;
  }

  #mayReadLog(p: Principal): boolean {
    return can({ actorRoles: p.roles, action: 'messages.read' });
  }
}

function notFoundAsUndefined(err: unknown): undefined {
  if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
  throw err;
}

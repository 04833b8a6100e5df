import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { authorize, can } from '../roles/roles.js';
import type { Outbox, OutboxEntry } from '../../ports/relay.js';
import type { Clock } from '../../ports/clock.js';
import type { MessageLog, Page, UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import type { MessageRecord } from '../sending/message-record.js';

/** The ports MessageReader reads: the message log's read side and, when mail is captured, the outbox. */
export interface MessageReaderDeps {
  readonly messages: Pick<MessageLog, 'list' | 'hourlyCounts' | 'topSenders'>;
  /** The capture outbox; undefined when a next hop is configured (nothing is captured). */
  readonly outbox?: Outbox | undefined;
  /** Where revealing a captured secret is audited. */
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/** One captured message as a reader gets it: the secrets it holds masked unless revealed. */
export interface OutboxMessage {
  readonly entry: OutboxEntry;
  readonly raw: Buffer;
  /** True when a secret (a reset code) was replaced by asterisks in `raw`. */
  readonly masked: boolean;
}

/** What stands in for a masked secret: as many asterisks as it has characters. */
const MASK = '*';

/**
 * `raw` with every occurrence of each secret replaced by asterisks, also across a quoted-printable
 * soft line break ("=" CRLF) inside it. A secret found nowhere (another encoding) fails closed:
 * the body is withheld and only the header section is returned.
 */
export function maskSecrets(raw: Buffer, secrets: readonly string[]): Buffer {
  let text = raw.toString('latin1');
  for (const secret of secrets) {
    if (secret === '') continue;
    const pattern = new RegExp(
      [...secret].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:=\r?\n)?'),
      'g',
    );
    let found = false;
    text = text.replace(pattern, () => {
      found = true;
      return MASK.repeat(secret.length);
    });
    if (!found) {
      const end = text.search(/\r?\n\r?\n/);
      const head = end < 0 ? text : text.slice(0, end);
      return Buffer.from(
        `${head}\r\n\r\n[The body is withheld: it holds a secret that could not be masked.]\r\n`,
        'latin1',
      );
    }
  }
  return Buffer.from(text, 'latin1');
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

  /**
   * The captured messages, newest first (empty when nothing is captured). Throws FORBIDDEN without
   * "outbox.read"; mail holding a secret (reset codes) is listed only with "outbox.read-secrets".
   */
  async listOutbox(p: Principal): Promise<readonly OutboxEntry[]> {
    authorize({ actorRoles: p.roles, action: 'outbox.read' });
    const entries = this.#deps.outbox ? await this.#deps.outbox.list() : [];
    const secrets = can({ actorRoles: p.roles, action: 'outbox.read-secrets' });
    return entries.filter((e) => secrets || !e.holdsSecret).sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  /**
   * One captured message and its raw bytes. Throws FORBIDDEN without "outbox.read", NOT_FOUND for an
   * unknown id (and for mail holding a secret without "outbox.read-secrets", which is never listed to
   * them either). Its secrets are masked unless `reveal`, which is audited (outbox.secret-revealed).
   */
  async readOutbox(p: Principal, id: string, options: { readonly reveal?: boolean } = {}): Promise<OutboxMessage> {
    authorize({ actorRoles: p.roles, action: 'outbox.read' });
    const found = this.#deps.outbox ? await this.#deps.outbox.read(id).catch(notFoundAsUndefined) : undefined;
    const secrets = found?.secrets ?? [];
    const holdsSecret = found !== undefined && (found.entry.holdsSecret === true || secrets.length > 0);
    if (!found || (holdsSecret && !can({ actorRoles: p.roles, action: 'outbox.read-secrets' }))) {
      throw new DomainError('NOT_FOUND', `There is no captured message "${id}".`);
    }
    if (!holdsSecret) return { entry: found.entry, raw: found.raw, masked: false };
    if (!options.reveal) return { entry: found.entry, raw: maskSecrets(found.raw, secrets), masked: true };
    await this.#deps.uow.run((s) =>
      recordAudit(s, this.#deps.clock.now(), p.actor, 'outbox.secret-revealed', `outbox:${found.entry.id}`, undefined, {
        subject: found.entry.subject,
        to: found.entry.to,
      }),
    );
    return { entry: found.entry, raw: found.raw, masked: false };
  }

  #mayReadLog(p: Principal): boolean {
    return can({ actorRoles: p.roles, action: 'messages.read' });
  }
}

function notFoundAsUndefined(err: unknown): undefined {
  if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
  throw err;
}

import type { Insertable, Selectable } from 'kysely';
import type { MessageOutcome, MessageRecord } from '../../core/sending/message-record.js';
import type { MessageLog, MessageQuery, Page } from '../../ports/stores.js';
import { chunk, clampLimit, clampOffset, fromFlag, rowsPerInsert, toCount, toDate, toFlag, toMillis } from './codec.js';
import type { Db, MessageLogTable } from './schema.js';
import { addToRollups, hourlyFromRollups, pruneRollups, topFromRollups } from './message-rollups.js';
import { inTransaction, type StoreContext } from './store-context.js';

const COLUMNS = 24;

function toRow(m: MessageRecord): Insertable<MessageLogTable> {
  return {
    id: m.id,
    at: toMillis(m.at),
    user_id: m.userId,
    sender: m.sender,
    recipients_internal: m.recipientsInternal,
    recipients_external: m.recipientsExternal,
    recipients_refused: m.recipientsRefused,
    refused_internal: m.refusedInternal ?? null,
    refused_external: m.refusedExternal ?? null,
    size: m.size,
    subject: m.subject,
    spam_score: m.spamScore,
    is_spam: toFlag(m.isSpam),
    outcome: m.outcome,
    reason_code: m.reasonCode,
    reason: m.reason,
    next_hop_reply: m.nextHopReply,
    client_address: m.clientAddress,
    scanner: m.scanner?.name ?? null,
    scanner_action: m.scanner?.action ?? null,
    scanner_score: m.scanner?.score ?? null,
    scanner_symbols: m.scanner ? m.scanner.symbols.join(',') : null,
    spam_by: m.spamBy && m.spamBy.length > 0 ? m.spamBy.join(',') : null,
    recipients: m.recipients === undefined ? null : JSON.stringify(m.recipients),
  };
}

function fromRow(r: Selectable<MessageLogTable>): MessageRecord {
  return {
    id: r.id,
    at: toDate(r.at),
    userId: r.user_id,
    sender: r.sender,
    recipientsInternal: Number(r.recipients_internal),
    recipientsExternal: Number(r.recipients_external),
    recipientsRefused: Number(r.recipients_refused),
    // Absent (not null) when not recorded, as on records from before schema 6.
    ...(r.refused_internal === null ? {} : { refusedInternal: Number(r.refused_internal) }),
    ...(r.refused_external === null ? {} : { refusedExternal: Number(r.refused_external) }),
    size: Number(r.size),
    subject: r.subject,
    spamScore: r.spam_score === null ? null : Number(r.spam_score),
    isSpam: fromFlag(r.is_spam),
    outcome: r.outcome as MessageOutcome,
    reasonCode: r.reason_code,
    reason: r.reason,
    nextHopReply: r.next_hop_reply,
    clientAddress: r.client_address,
    scanner:
      r.scanner === null
        ? null
        : {
            name: r.scanner,
            action: r.scanner_action ?? 'no-action',
            score: r.scanner_score === null ? 0 : Number(r.scanner_score),
            symbols: r.scanner_symbols ? r.scanner_symbols.split(',') : [],
          },
    spamBy: r.spam_by ? r.spam_by.split(',') : [],
    ...(r.recipients === null ? {} : { recipients: parseRecipients(r.recipients) }),
  };
}

function parseRecipients(json: string): readonly string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * MessageLog over Kysely: batched multi-row inserts, indexed by (user_id, at) and at. The Home
 * counts come from rollups (message-rollups.ts) written in the same transaction as each batch.
 */
export class KyselyMessageLog implements MessageLog {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * One multi-row INSERT per call (split only past the driver's bound-parameter limit, ~1,800
   * records) and the rollups' upserts, in one transaction.
   */
  async insertMany(records: readonly MessageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await inTransaction(this.#ctx, async (db) => {
      for (const part of chunk(records.map(toRow), rowsPerInsert(COLUMNS))) {
        await db.insertInto('message_log').values(part).execute();
      }
      await addToRollups(db, this.#ctx.kind, records);
    });
  }

  async list(query: MessageQuery): Promise<Page<MessageRecord>> {
    const filtered = (db: Db) => {
      let q = db.selectFrom('message_log');
      if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
      if (query.since !== undefined) q = q.where('at', '>=', toMillis(query.since));
      return q;
    };
    const rows = await filtered(this.#ctx.db)
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(clampLimit(query.limit))
      .offset(clampOffset(query.offset))
      .execute();
    const total = await filtered(this.#ctx.db)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map(fromRow), total: toCount(total.n) };
  }

  /** Hours are UTC hours (epoch ms rounded down to a multiple of 3,600,000), oldest first. */
  async hourlyCounts(since: Date): Promise<readonly { hour: Date; outcome: string; count: number }[]> {
    const rows = await hourlyFromRollups(this.#ctx.db, toMillis(since));
    return rows.map((r) => ({ hour: toDate(r.hour), outcome: r.outcome, count: r.n }));
  }

  async topSenders(since: Date, limit: number): Promise<readonly { sender: string; count: number }[]> {
    const rows = await topFromRollups(this.#ctx.db, toMillis(since), clampLimit(limit, 10, 500));
    return rows.map((r) => ({ sender: r.sender, count: r.n }));
  }

  /** Deletes the old records and keeps the rollups equal to what is left, in one transaction. */
  async prune(before: Date): Promise<number> {
    return inTransaction(this.#ctx, async (db) => {
      const r = await db.deleteFrom('message_log').where('at', '<', toMillis(before)).executeTakeFirst();
      await pruneRollups(db, this.#ctx.kind, toMillis(before));
      return toCount(r.numDeletedRows);
    });
  }
}

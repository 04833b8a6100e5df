import { sql, type Insertable, type Selectable } from 'kysely';
import type { MessageOutcome, MessageRecord } from '../../core/sending/message-record.js';
import type { MessageLog, MessageQuery, Page } from '../../ports/stores.js';
import { chunk, clampLimit, clampOffset, fromFlag, rowsPerInsert, toCount, toDate, toFlag, toMillis } from './codec.js';
import type { Db, MessageLogTable } from './schema.js';
import type { StoreContext } from './store-context.js';

const HOUR_MS = 3_600_000;
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

/** MessageLog over Kysely: batched multi-row inserts, indexed by (user_id, at) and at. */
export class KyselyMessageLog implements MessageLog {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** One multi-row INSERT per call (split only past the driver's bound-parameter limit, ~1,800 records). */
  async insertMany(records: readonly MessageRecord[]): Promise<void> {
    for (const part of chunk(records.map(toRow), rowsPerInsert(COLUMNS))) {
      await this.#ctx.db.insertInto('message_log').values(part).execute();
    }
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
    const result = await sql<{ hour: number | string; outcome: string; n: number | string }>`
      select at - (at % ${sql.lit(HOUR_MS)}) as hour, outcome, count(*) as n
      from message_log
      where at >= ${toMillis(since)}
      group by 1, 2
      order by 1, 2`.execute(this.#ctx.db);
    return result.rows.map((r) => ({ hour: toDate(r.hour), outcome: r.outcome, count: toCount(r.n) }));
  }

  async topSenders(since: Date, limit: number): Promise<readonly { sender: string; count: number }[]> {
    const rows = await this.#ctx.db
      .selectFrom('message_log')
      .select((eb) => ['sender', eb.fn.countAll<number | string>().as('n')])
      .where('at', '>=', toMillis(since))
      .groupBy('sender')
      .orderBy('n', 'desc')
      .orderBy('sender')
      .limit(clampLimit(limit, 10, 500))
      .execute();
    return rows.map((r) => ({ sender: r.sender, count: toCount(r.n) }));
  }

  async prune(before: Date): Promise<number> {
    const r = await this.#ctx.db.deleteFrom('message_log').where('at', '<', toMillis(before)).executeTakeFirst();
    return toCount(r.numDeletedRows);
  }
}

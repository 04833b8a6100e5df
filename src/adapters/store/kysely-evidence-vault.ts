import type { Selectable } from 'kysely';
import type { EvidenceKind, EvidenceRecord } from '../../core/evidence/evidence.js';
import type { ScannerVerdictRecord } from '../../core/sending/message-record.js';
import type { EvidenceRange, EvidenceVault, KeptMessage } from '../../ports/evidence-vault.js';
import { fromFlag, toCount, toDate, toFlag, toMillis } from './codec.js';
import { EvidenceCipher } from './evidence-cipher.js';
import type { Db, EvidenceMessagesTable } from './schema.js';

type Row = Selectable<EvidenceMessagesTable>;
type ListedRow = Omit<Row, 'body'>;

/** What is sealed in `summary`: the fields a leaked database must not show. */
interface Summary {
  readonly subject: string | null;
  readonly recipients: readonly string[];
  readonly reason: string;
}

const LISTED = [
  'id',
  'user_id',
  'at',
  'kind',
  'recipient_count',
  'spam_score',
  'spam_by',
  'scanner',
  'size',
  'truncated',
  'summary',
] as const;

/**
 * The evidence vault over Kysely (table evidence_messages, migration 8): subject, recipients,
 * reason and the kept bytes are sealed with AES-256-GCM (EvidenceCipher, key derived from
 * SENDWARDEN_SECRET, purpose "evidence"); listing opens only the small summary.
 */
export class KyselyEvidenceVault implements EvidenceVault {
  readonly #db: Db;
  readonly #cipher: EvidenceCipher;

  constructor(db: Db, key: Uint8Array) {
    this.#db = db;
    this.#cipher = new EvidenceCipher(key);
  }

  async put(message: KeptMessage): Promise<void> {
    const r = message.record;
    const summary: Summary = { subject: r.subject, recipients: r.recipients, reason: r.reason };
    await this.#db
      .insertInto('evidence_messages')
      .values({
        id: r.id,
        user_id: r.userId,
        at: toMillis(r.at),
        kind: r.kind,
        recipient_count: r.recipientCount,
        spam_score: r.spamScore,
        spam_by: r.spamBy.join(','),
        scanner: r.scanner === null ? null : JSON.stringify(r.scanner),
        size: r.size,
        truncated: toFlag(r.truncated),
        summary: this.#cipher
          .seal(Buffer.from(JSON.stringify(summary), 'utf8'), aad(r.id, r.userId, 'summary'))
          .toString('base64'),
        body: this.#cipher.seal(message.raw, aad(r.id, r.userId, 'body')).toString('base64'),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async list(userId: string, range: EvidenceRange, limit: number): Promise<readonly EvidenceRecord[]> {
    let q = this.#db.selectFrom('evidence_messages').select(LISTED).where('user_id', '=', userId);
    if (range.after !== null) q = q.where('at', '>', toMillis(range.after));
    if (range.until !== null) q = q.where('at', '<=', toMillis(range.until));
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(Math.max(1, limit)).execute();
    return rows.map((row) => this.#record(row));
  }

  async read(userId: string, id: string): Promise<KeptMessage | undefined> {
    const row = await this.#db
      .selectFrom('evidence_messages')
      .selectAll()
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const record = this.#record(row);
    return { record, raw: this.#cipher.open(Buffer.from(row.body, 'base64'), aad(row.id, row.user_id, 'body')) };
  }

  async trim(userId: string, after: Date | null, keep: number): Promise<number> {
    let q = this.#db.selectFrom('evidence_messages').select('id').where('user_id', '=', userId);
    if (after !== null) q = q.where('at', '>', toMillis(after));
    const extra = await q.orderBy('at', 'desc').orderBy('id', 'desc').offset(keep).limit(1000).execute();
    if (extra.length === 0) return 0;
    const r = await this.#db
      .deleteFrom('evidence_messages')
      .where(
        'id',
        'in',
        extra.map((x) => x.id),
      )
      .executeTakeFirst();
    return toCount(r.numDeletedRows);
  }

  async prune(before: Date): Promise<number> {
    const r = await this.#db.deleteFrom('evidence_messages').where('at', '<', toMillis(before)).executeTakeFirst();
    return toCount(r.numDeletedRows);
  }

  #record(row: ListedRow): EvidenceRecord {
    const summary = JSON.parse(
      this.#cipher.open(Buffer.from(row.summary, 'base64'), aad(row.id, row.user_id, 'summary')).toString('utf8'),
    ) as Summary;
    return {
      id: row.id,
      userId: row.user_id,
      at: toDate(row.at),
      kind: row.kind as EvidenceKind,
      subject: summary.subject,
      recipients: summary.recipients,
      recipientCount: Number(row.recipient_count),
      spamScore: Number(row.spam_score),
      spamBy: row.spam_by ? row.spam_by.split(',') : [],
      scanner: row.scanner === null ? null : (JSON.parse(row.scanner) as ScannerVerdictRecord),
      reason: summary.reason,
      size: Number(row.size),
      truncated: fromFlag(row.truncated),
    };
  }
}

/** Binds a sealed value to its row and field. */
function aad(id: string, userId: string, field: 'summary' | 'body'): string {
  return `evidence:${id}:${userId}:${field}`;
}

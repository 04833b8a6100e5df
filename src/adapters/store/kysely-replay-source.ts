import { sql } from 'kysely';
import type { PastRestriction, ReplayRow, ReplaySource, ReplayUser } from '../../ports/replay-source.js';
import { parseJson, toDate, toMillis } from './codec.js';
import type { StoreContext } from './store-context.js';

/** Rows per keyset page: large enough that round trips do not dominate, small enough for bounded memory. */
export const REPLAY_PAGE_ROWS = 5_000;

/** The rules the live engine restricts by (not 'manual' and the like, which no policy decides). */
const RULES = ['external-per-hour', 'internal-per-hour', 'per-day', 'messages-per-minute', 'spam-verdicts'];

/**
 * The message log read for the what-if replay: keyset pages over the (user_id, at, id) index of
 * migration 006, so each page is an index range scan and nothing is sorted or held beyond a page.
 */
export class KyselyReplaySource implements ReplaySource {
  readonly #ctx: StoreContext;
  readonly #pageRows: number;

  constructor(ctx: StoreContext, pageRows = REPLAY_PAGE_ROWS) {
    this.#ctx = ctx;
    this.#pageRows = pageRows;
  }

  async *rows(since: Date, until: Date): AsyncIterable<readonly ReplayRow[]> {
    const from = toMillis(since);
    const to = toMillis(until);
    let after: { userId: string; at: number; id: string } | undefined;
    // SQLite would pick the (at) index for the range and sort every page; unary plus keeps it on
    // the replay index. PostgreSQL uses the replay index for the range as well, and a plus would
    // send it to a sequential scan.
    const at = this.#ctx.kind === 'sqlite' ? sql<number>`+at` : sql<number>`at`;
    for (;;) {
      let q = this.#ctx.db
        .selectFrom('message_log')
        .select([
          'id',
          'at',
          'user_id',
          'sender',
          'recipients_internal',
          'recipients_external',
          'recipients_refused',
          'refused_internal',
          'refused_external',
          'spam_score',
          'outcome',
          'reason_code',
        ])
        .where('user_id', 'is not', null)
        .where(at, '>=', from)
        .where(at, '<', to);
      if (after !== undefined) {
        const a = after;
        q = q.where((eb) => eb(eb.refTuple('user_id', 'at', 'id'), '>', eb.tuple(a.userId, a.at, a.id)));
      }
      const page = await q.orderBy('user_id').orderBy('at').orderBy('id').limit(this.#pageRows).execute();
      if (page.length === 0) return;
      const rows: ReplayRow[] = page.map((r) => ({
        at: Number(r.at),
        userId: r.user_id as string,
        sender: r.sender,
        internal: Number(r.recipients_internal),
        external: Number(r.recipients_external),
        refusedInternal: r.refused_internal === null ? null : Number(r.refused_internal),
        refusedExternal: r.refused_external === null ? null : Number(r.refused_external),
        refused: Number(r.recipients_refused),
        spamScore: r.spam_score === null ? null : Number(r.spam_score),
        outcome: r.outcome,
        reasonCode: r.reason_code,
      }));
      yield rows;
      if (page.length < this.#pageRows) return;
      const last = page[page.length - 1] as (typeof page)[number];
      after = { userId: last.user_id as string, at: Number(last.at), id: last.id };
    }
  }

  async users(ids: readonly string[]): Promise<ReadonlyMap<string, ReplayUser>> {
    const found = new Map<string, { id: string; email: string; aliases: string[]; groups: string[] }>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const users = await this.#ctx.db
        .selectFrom('users')
        .select(['id', 'email', 'groups'])
        .where('id', 'in', part)
        .execute();
      for (const u of users)
        found.set(u.id, { id: u.id, email: u.email, aliases: [], groups: parseJson<string[]>(u.groups) });
      const aliases = await this.#ctx.db
        .selectFrom('addresses')
        .select(['user_id', 'address'])
        .where('user_id', 'in', part)
        .where('kind', '=', 'alias')
        .orderBy('position')
        .execute();
      for (const a of aliases) found.get(a.user_id)?.aliases.push(a.address);
    }
    return found;
  }

  async restrictions(since: Date, until: Date): Promise<readonly PastRestriction[]> {
    const rows = await this.#ctx.db
      .selectFrom('restrictions')
      .select(['user_id', 'restricted_at', 'evidence'])
      .where('restricted_at', '>=', toMillis(since))
      .where('restricted_at', '<', toMillis(until))
      .orderBy('restricted_at')
      .orderBy('id')
      .execute();
    return rows
      .map((r) => ({
        userId: r.user_id,
        at: toDate(r.restricted_at),
        rule: parseJson<{ rule: string }>(r.evidence).rule,
      }))
      .filter((r) => RULES.includes(r.rule));
  }
}

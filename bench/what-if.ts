/**
 * What-if replay speed (issue 17): ROWS message-log rows (USERS users, spread over the last 6 days)
 * on a real SQLite file and, when it answers, a throwaway PostgreSQL database. Each side times a
 * plain scan (the same keyset pages of the replay source, rows only counted) and the full replay
 * (PolicyWhatIf: user lookups, policy match, the live engine's windows and checks per recipient),
 * in the same run, so the ratio says what the replay adds to just reading the rows.
 */
import { PolicyWhatIf } from '../src/core/what-if/policy-what-if.js';
import type { Clock } from '../src/ports/clock.js';
import { HAS_POSTGRES } from '../test/support/services.js';
import { withPostgresStore, withSqliteStore, type TestStore } from '../test/support/db.js';

export interface WhatIfBenchResult {
  readonly backend: string;
  readonly rows: number;
  readonly scanMs: number;
  readonly replayMs: number;
  /** CPU time of this process (user + system), which a loaded machine does not inflate as it does wall time. */
  readonly scanCpuMs: number;
  readonly replayCpuMs: number;
  readonly restricted: number;
  readonly error?: string;
}

const DAY_MS = 86_400_000;

/** Fills message_log with `rows` rows in one statement (a recursive CTE on SQLite, generate_series on PostgreSQL). */
async function fill(t: TestStore, rows: number, users: number, nowMs: number): Promise<void> {
  // Rows spread over 6 days; 1 to 3 external recipients, one in five messages has an internal one too.
  const span = 6 * DAY_MS;
  const columns =
    'id, at, user_id, sender, recipients_internal, recipients_external, recipients_refused, refused_internal, ' +
    'refused_external, size, subject, spam_score, is_spam, outcome, reason_code, reason, next_hop_reply, client_address';
  const select = (series: string) => `
    select 'm' || g, ${nowMs - span} + ((g * 7919) % ${span}), 'user-' || (g % ${users}),
      'u' || (g % ${users}) || '@contoso.com', case when g % 5 = 0 then 1 else 0 end, 1 + (g % 3),
      0, 0, 0, 1000, 'Hi', 1, 0, 'relayed', null, null, '250 OK', '198.51.100.7' from ${series}`;
  if (t.store.kind === 'postgres') {
    await t.rawQuery(`insert into message_log (${columns}) ${select(`generate_series(0::bigint, ${rows - 1}) as g`)}`);
    await t.rawQuery('analyze message_log');
  } else {
    await t.rawQuery(
      `insert into message_log (${columns}) with recursive s(g) as (select 0 union all select g + 1 from s where g < ${rows - 1}) ${select('s')}`,
    );
  }
}

async function side(name: string, open: () => Promise<TestStore>, rows: number, users: number) {
  const t = await open();
  try {
    const nowMs = Date.UTC(2026, 10, 23, 12, 0, 0);
    await fill(t, rows, users, nowMs);
    const clock: Clock = { now: () => new Date(nowMs) };
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let scanned = 0;
    let started = performance.now();
    let cpu0 = cpu();
    for await (const page of t.store.replay.rows(new Date(nowMs - 8 * DAY_MS), new Date(nowMs))) scanned += page.length;
    const scanMs = performance.now() - started;
    const scanCpuMs = cpu() - cpu0;
    const whatIf = new PolicyWhatIf({ uow: t.store.uow, clock, source: t.store.replay, retentionDays: 30 });
    started = performance.now();
    cpu0 = cpu();
    const report = await whatIf.previewDefault(
      { actor: { kind: 'system', id: 'bench', label: 'bench' }, roles: ['global-admin'], userId: null },
      { limits: { externalPerHour: 2 } },
      { days: 7 },
    );
    const replayMs = performance.now() - started;
    const replayCpuMs = cpu() - cpu0;
    if (scanned !== rows || report.rowsReplayed !== rows)
      throw new Error(`scanned ${scanned}, replayed ${report.rowsReplayed}, expected ${rows}`);
    return { backend: name, rows, scanMs, replayMs, scanCpuMs, replayCpuMs, restricted: report.totals.restricted };
  } finally {
    await t.cleanup();
  }
}

/** Runs both sides; a side that fails reports its error instead of a figure. */
export async function whatIfBench(rows: number, users: number): Promise<WhatIfBenchResult[]> {
  const out: WhatIfBenchResult[] = [];
  const sides: [string, () => Promise<TestStore>, boolean][] = [
    ['SQLite', withSqliteStore, true],
    ['PostgreSQL', withPostgresStore, HAS_POSTGRES],
  ];
  for (const [name, open, available] of sides) {
    if (!available) {
      out.push({
        backend: name,
        rows,
        scanMs: NaN,
        replayMs: NaN,
        scanCpuMs: NaN,
        replayCpuMs: NaN,
        restricted: 0,
        error: 'not answering; skipped',
      });
      continue;
    }
    try {
      out.push(await side(name, open, rows, users));
    } catch (err) {
      out.push({
        backend: name,
        rows,
        scanMs: NaN,
        replayMs: NaN,
        scanCpuMs: NaN,
        replayCpuMs: NaN,
        restricted: 0,
        error: String(err),
      });
    }
  }
  return out;
}

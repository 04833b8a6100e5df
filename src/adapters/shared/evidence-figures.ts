import type { RestrictionEvidence } from '../../core/restrictions/restriction.js';

/**
 * The numbers behind a restriction's evidence sentence, so a client can word it in its own
 * language ("612 externe geadresseerden in het afgelopen uur; limiet 500") instead of showing the
 * English summary. Each is null when the evidence does not carry it (a manual restriction, or
 * counts stored under other names); clients then fall back to the summary.
 */
export interface EvidenceFigures {
  /** The count of the rule that fired (evidence.counts[evidence.rule]). */
  readonly count: number | null;
  /** The limit that was crossed. */
  readonly limit: number | null;
  /** The window the count covers, in minutes (60 for the hourly limits, the policy's window for spam verdicts). */
  readonly windowMinutes: number | null;
}

/** The fixed windows of the limit rules (src/core/policy/sending-limits.ts). */
const FIXED_WINDOW_MINUTES: Readonly<Record<string, number>> = {
  'external-per-hour': 60,
  'internal-per-hour': 60,
  'per-day': 24 * 60,
  'messages-per-minute': 1,
};

// Restrictions stored before evidence carried windowMinutes have the spam window only inside the
// sentence core wrote ("3 spam verdicts in the last 60 minutes; limit 3", describeCount).
const SPAM_WINDOW = /\bin the last (\d+) minutes?\b/;

/** The count, limit and window of `evidence`, read from its counts under the rule's own name. */
export function evidenceFigures(evidence: RestrictionEvidence): EvidenceFigures {
  const count = evidence.counts[evidence.rule];
  const limit = evidence.limit;
  return {
    count: typeof count === 'number' && Number.isFinite(count) ? count : null,
    limit: typeof limit === 'number' && Number.isFinite(limit) ? limit : null,
    windowMinutes: windowOf(evidence),
  };
}

function windowOf(evidence: RestrictionEvidence): number | null {
  if (typeof evidence.windowMinutes === 'number') return evidence.windowMinutes;
  const fixed = FIXED_WINDOW_MINUTES[evidence.rule];
  if (fixed !== undefined) return fixed;
  if (evidence.rule !== 'spam-verdicts') return null;
  const minutes = SPAM_WINDOW.exec(evidence.summary)?.[1];
  return minutes === undefined ? null : Number(minutes);
}

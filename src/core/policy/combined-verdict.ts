import type { ContentVerdict, ScannerSymbol, ScanResult } from '../../ports/content-scorer.js';

/** What an external scanner's "add header" / "rewrite subject" means: evidence on the record only, or spam. */
export type AddHeaderMode = 'evidence' | 'spam';

/** The name the built-in scorer goes by in evidence and on the message record. */
export const BUILTIN_SCORER = 'builtin';

/**
 * Both scorers' verdicts on one message, combined (issue 15):
 * - spam: either scorer says spam (built-in score at or over the policy threshold; the scanner's
 *   `reject`, or its `add header` / `rewrite subject` when the mode is "spam"); `by` names which.
 * - defer: the scanner's `soft reject` and the built-in scorer does not say spam (451 4.7.1).
 * - clean: neither says spam. A scanner that is unavailable or skipped leaves the built-in scorer
 *   to decide alone: an outage never reads as clean by itself and never blocks mail.
 */
export interface CombinedVerdict {
  readonly kind: 'clean' | 'spam' | 'defer';
  /** The scorers that said spam (or soft reject for `defer`), built-in first. */
  readonly by: readonly string[];
  /** One sentence naming each scorer's part, e.g. "rspamd: reject, score 15 (GTUBE)". */
  readonly detail: string;
}

/** Combines the built-in verdict (against `threshold`) with an external scanner's result. */
export function combineVerdicts(
  builtin: ContentVerdict,
  threshold: number,
  scan: ScanResult | undefined,
  addHeader: AddHeaderMode,
): CombinedVerdict {
  const builtinPart =
    builtin.score >= threshold
      ? `${BUILTIN_SCORER}: score ${builtin.score}, threshold ${threshold}${describeSignals(builtin)}`
      : null;
  const scored = scan?.state === 'scored' ? scan : undefined;
  const scanPart = scored
    ? `${scored.scanner}: ${scored.action.replace('-', ' ')}, score ${scored.score}${describeSymbols(scored.symbols)}`
    : null;
  const isScanSpam =
    scored !== undefined &&
    (scored.action === 'reject' ||
      (addHeader === 'spam' && (scored.action === 'add-header' || scored.action === 'rewrite-subject')));
  if (builtinPart !== null || isScanSpam) {
    const by: string[] = [];
    const parts: string[] = [];
    if (builtinPart !== null) {
      by.push(BUILTIN_SCORER);
      parts.push(builtinPart);
    }
    if (isScanSpam && scored && scanPart) {
      by.push(scored.scanner);
      parts.push(scanPart);
    }
    return { kind: 'spam', by, detail: parts.join('; ') };
  }
  if (scored?.action === 'soft-reject' && scanPart) return { kind: 'defer', by: [scored.scanner], detail: scanPart };
  return { kind: 'clean', by: [], detail: '' };
}

function describeSignals(verdict: ContentVerdict): string {
  const top = verdict.signals
    .slice(0, 3)
    .map((s) => s.detail)
    .join('; ');
  return top ? ` (${top})` : '';
}

function describeSymbols(symbols: readonly ScannerSymbol[]): string {
  const names = symbols.slice(0, 5).map((s) => s.name);
  return names.length > 0 ? ` (${names.join(', ')})` : '';
}

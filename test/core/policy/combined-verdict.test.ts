/**
 * Both scorers at once (issue 15): a message is spam if either says so, the evidence names which,
 * Rspamd's soft reject defers, "add header" follows the configured mode, and an Rspamd outage
 * leaves the built-in scorer alone (never "clean" by itself). If this fails, Rspamd's verdicts are
 * ignored, or an outage or a soft reject turns into a refusal or a pass it should not be.
 */
import { describe, expect, it } from 'vitest';
import { combineVerdicts } from '../../../src/core/policy/combined-verdict.js';
import type { ContentVerdict, ScannerAction, ScanResult } from '../../../src/ports/content-scorer.js';

const clean: ContentVerdict = { score: 0, signals: [] };
const phish: ContentVerdict = {
  score: 12,
  signals: [{ name: 'link-shortener', score: 3, detail: 'link shortener bit.ly' }],
};
const rspamd = (action: ScannerAction, score = 15): ScanResult => ({
  state: 'scored',
  scanner: 'rspamd',
  action,
  score,
  requiredScore: 15,
  symbols: [{ name: 'GTUBE', score: 0 }],
});
const away: ScanResult = { state: 'unavailable', scanner: 'rspamd', reason: 'ECONNREFUSED' };

describe('combineVerdicts', () => {
  it('is clean when neither says spam, and when Rspamd is away or absent the built-in verdict stands alone', () => {
    expect(combineVerdicts(clean, 10, rspamd('no-action', 1), 'evidence').kind).toBe('clean');
    expect(combineVerdicts(clean, 10, away, 'evidence').kind).toBe('clean');
    expect(combineVerdicts(phish, 10, away, 'evidence')).toMatchObject({ kind: 'spam', by: ['builtin'] });
    expect(combineVerdicts(phish, 10, undefined, 'evidence')).toMatchObject({ kind: 'spam', by: ['builtin'] });
  });

  it("is spam on Rspamd's reject alone, naming rspamd and its symbols", () => {
    expect(combineVerdicts(clean, 10, rspamd('reject'), 'evidence')).toEqual({
      kind: 'spam',
      by: ['rspamd'],
      detail: 'rspamd: reject, score 15 (GTUBE)',
    });
  });

  it('names both when both say spam, built-in first', () => {
    expect(combineVerdicts(phish, 10, rspamd('reject'), 'evidence')).toMatchObject({
      kind: 'spam',
      by: ['builtin', 'rspamd'],
      detail: 'builtin: score 12, threshold 10 (link shortener bit.ly); rspamd: reject, score 15 (GTUBE)',
    });
  });

  it('defers on soft reject, unless the built-in scorer says spam', () => {
    expect(combineVerdicts(clean, 10, rspamd('soft-reject', 9), 'evidence')).toMatchObject({
      kind: 'defer',
      by: ['rspamd'],
    });
    expect(combineVerdicts(phish, 10, rspamd('soft-reject', 9), 'evidence')).toMatchObject({
      kind: 'spam',
      by: ['builtin'],
    });
  });

  it('treats add header and rewrite subject as evidence only, or as spam when so configured', () => {
    for (const action of ['add-header', 'rewrite-subject'] as const) {
      expect(combineVerdicts(clean, 10, rspamd(action, 7), 'evidence').kind).toBe('clean');
      expect(combineVerdicts(clean, 10, rspamd(action, 7), 'spam')).toMatchObject({ kind: 'spam', by: ['rspamd'] });
    }
    expect(combineVerdicts(clean, 10, rspamd('greylist', 5), 'spam').kind).toBe('clean');
  });
});

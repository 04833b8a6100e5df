import type { ScannerWatch } from '../../core/sending/scanner-watch.js';
import type { MessageScanner, ScanRequest, ScanResult } from '../../ports/content-scorer.js';
import type { RspamdScorer } from './rspamd-scorer.js';

/** The metrics the watched scanner moves (adapters/http/metrics.ts has them; passed in, not imported). */
export interface ScannerMetrics {
  readonly contentScans: { inc(labels: { scanner: string; result: string }): void };
  readonly contentScannerUp: { set(labels: { scanner: string }, value: number): void };
}

/** The part of pino used here. */
export interface ScannerLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** Rspamd with its state watched: every result counted, away/back told to the ScannerWatch (one alert). */
export interface WatchedScanner extends MessageScanner {
  /** For /healthz: pings Rspamd; rejects while it is away (and tells the watch either way). */
  probe(): Promise<void>;
  learn(kind: 'ham' | 'spam', raw: Uint8Array): Promise<string>;
  close(): void;
}

/** Wraps `scanner` so its results feed `watch` and the metrics; the wrapper never throws from scan(). */
export function watchScanner(
  scanner: RspamdScorer,
  watch: ScannerWatch,
  metrics: ScannerMetrics,
  logger: ScannerLogger,
): WatchedScanner {
  const observe = (result: ScanResult) => {
    const before = watch.status().state;
    if (result.state !== 'skipped')
      metrics.contentScannerUp.set({ scanner: result.scanner }, result.state === 'scored' ? 1 : 0);
    void watch.observe(result).then(() => {
      const after = watch.status().state;
      if (before === after) return;
      if (after === 'unavailable')
        logger.warn(
          { scanner: result.scanner, reason: watch.status().reason },
          'content scanner away; built-in scorer decides alone',
        );
      else logger.info({ scanner: result.scanner }, 'content scanner answers again');
    });
  };
  return {
    async scan(request: ScanRequest): Promise<ScanResult> {
      const result = await scanner.scan(request);
      metrics.contentScans.inc({
        scanner: result.scanner,
        result: result.state === 'scored' ? result.action : result.state,
      });
      observe(result);
      return result;
    },
    async probe() {
      const isUp = await scanner.ping();
      observe(
        isUp
          ? { state: 'scored', scanner: 'rspamd', action: 'no-action', score: 0, requiredScore: null, symbols: [] }
          : { state: 'unavailable', scanner: 'rspamd', reason: 'Rspamd does not answer /ping' },
      );
      if (!isUp) throw new Error('Rspamd does not answer /ping');
    },
    learn: (kind, raw) => scanner.learn(kind, raw),
    close: () => scanner.close(),
  };
}

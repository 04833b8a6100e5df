import type { Clock } from '../../ports/clock.js';
import type { ScanResult } from '../../ports/content-scorer.js';

/** What the watch needs: the clock and the alert service's raise and (system) resolve. */
export interface ScannerWatchDeps {
  readonly clock: Clock;
  readonly raiseAlert: (input: {
    readonly type: 'content-scanner-unavailable';
    readonly userId: null;
    readonly userEmail: null;
    readonly summary: string;
    readonly details: Readonly<Record<string, unknown>>;
  }) => Promise<{ readonly id: string }>;
  readonly resolveAlert: (id: string) => Promise<unknown>;
}

/** The external scanner's state as /healthz reports it. */
export interface ScannerStatus {
  readonly state: 'ok' | 'unavailable';
  /** When the current state began (null: no answer seen yet). */
  readonly since: Date | null;
  /** Why it is unavailable (the last failure). */
  readonly reason: string | null;
}

/**
 * "Rspamd away" is its own state (issue 15): the first failure after an answer raises ONE alert
 * (however many messages fail meanwhile), the first answer after an outage resolves it. The state
 * flips synchronously, before any await, so parallel sessions cannot raise it twice. Per node.
 */
export class ScannerWatch {
  readonly #d: ScannerWatchDeps;
  #status: ScannerStatus = { state: 'ok', since: null, reason: null };
  #alert: Promise<{ readonly id: string } | null> | null = null;

  constructor(deps: ScannerWatchDeps) {
    this.#d = deps;
  }

  status(): ScannerStatus {
    return this.#status;
  }

  /** Feeds one result (a scan, or a health ping as scored/unavailable); `skipped` says nothing. */
  async observe(result: ScanResult): Promise<void> {
    if (result.state === 'skipped') return;
    const now = this.#d.clock.now();
    if (result.state === 'unavailable') {
      if (this.#status.state === 'unavailable') {
        this.#status = { ...this.#status, reason: result.reason };
        return;
      }
      this.#status = { state: 'unavailable', since: now, reason: result.reason };
      this.#alert = this.#d
        .raiseAlert({
          type: 'content-scanner-unavailable',
          userId: null,
          userEmail: null,
          summary: `${result.scanner} does not answer (${result.reason}); the built-in scorer judges messages alone until it does.`,
          details: { scanner: result.scanner, reason: result.reason, since: now.toISOString() },
        })
        .catch(() => null);
      await this.#alert;
      return;
    }
    if (this.#status.state === 'ok') {
      if (this.#status.since === null) this.#status = { state: 'ok', since: now, reason: null };
      return;
    }
    this.#status = { state: 'ok', since: now, reason: null };
    const pending = this.#alert;
    this.#alert = null;
    const alert = await pending;
    if (alert) await this.#d.resolveAlert(alert.id).catch(() => undefined);
  }
}

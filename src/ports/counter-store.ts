/** One sliding-window limit to check and, if every check passes, add to. */
export interface WindowCheck {
  /** Counter key, e.g. "u:<userId>:ext". Implementations may prefix it. */
  readonly key: string;
  /** Window length in milliseconds (sliding, not fixed). */
  readonly windowMs: number;
  /** Largest total allowed inside the window after adding; 0 = unlimited (still counted). */
  readonly limit: number;
  /**
   * How much this event adds (recipients, or 1 message). A negative amount gives back an
   * earlier one; pass that earlier `now` so it leaves the window at the same moment.
   */
  readonly amount: number;
  /**
   * A mark for "the first in its window": when this check passes and its counter started from
   * zero (its total after adding equals `amount`), 1 is added to the key `marks` names, in the same
   * atomic step and visible to the groups after it in `consumeInOrder` (the new-address mark).
   */
  readonly marks?: { readonly key: string; readonly windowMs: number } | undefined;
}

/** The outcome of one atomic check-and-add. */
export interface WindowResult {
  /** True when every check passed and every amount was added; false when nothing was added. */
  readonly allowed: boolean;
  /** Totals inside each window, in the order of the checks (after adding, when allowed). */
  readonly totals: readonly number[];
  /** Index of the first check that failed, or -1. */
  readonly failedIndex: number;
}

/**
 * Sliding-window counters. `consume` is one atomic step across all its checks, on a local
 * or a remote store (Redis: one Lua script), so parallel sessions of a user can never
 * overshoot a limit. Failures surface as DomainError COUNTERS_UNAVAILABLE.
 */
export interface CounterStore {
  consume(checks: readonly WindowCheck[], now: Date): Promise<WindowResult>;
  /**
   * Several consumes as ONE atomic step (one Redis round trip): each group as `consume` does it,
   * in order, stopping after the first group that is not allowed (the groups after it are neither
   * checked nor added, the groups before it stay added). One result per group that ran.
   */
  consumeInOrder(groups: readonly (readonly WindowCheck[])[], now: Date): Promise<readonly WindowResult[]>;
  /** Current totals without adding. */
  peek(keys: readonly { key: string; windowMs: number }[], now: Date): Promise<readonly number[]>;
  /** Forgets every counter whose key starts with `prefix` (used by unblock). */
  reset(prefix: string): Promise<void>;
  close(): Promise<void>;
}

import type { ReplayRow } from '../../ports/replay-source.js';
import { SlidingWindows } from '../counting/sliding-windows.js';
import type { OutboundPolicy } from '../policy/outbound-policy.js';
import {
  breach,
  counterKeys,
  DAY_MS,
  findBreach,
  HOUR_MS,
  type LimitBreach,
  messageCheck,
  MINUTE_MS,
  recipientChecks,
} from '../policy/sending-limits.js';
import { startOfUtcDay } from '../restrictions/restriction.js';

/** What the replay says happened, at one moment. */
export type WhatIfEventKind = 'restricted' | 'released' | 'deferred' | 'alerted' | 'spam-refused';

/** One line of a user's timeline. `rule` is a LimitRule, 'recipients-per-message' or 'spam-verdicts'. */
export interface WhatIfEvent {
  readonly at: Date;
  readonly kind: WhatIfEventKind;
  readonly rule: string;
  /** The count that crossed the limit (restricted, deferred by a limit, alerted), else 0. */
  readonly count: number;
  readonly limit: number;
  /** e.g. "6 external recipients in the last hour; limit 5" */
  readonly summary: string;
}

/** At most this many events per user's timeline; the rest are counted in `omittedEvents`. */
export const TIMELINE_MAX = 12;

/** What one user's messages would have met under the proposed policy, within the reported range. */
export interface UserReplayResult {
  readonly messages: number;
  readonly messagesRefused: number;
  readonly recipientsRefused: number;
  readonly restrictions: number;
  readonly firstRestriction: WhatIfEvent | null;
  readonly firstDeferredAt: Date | null;
  readonly firstAlertedAt: Date | null;
  readonly timeline: readonly WhatIfEvent[];
  readonly omittedEvents: number;
  /** What really happened to the same messages (from the log). */
  readonly actualMessagesRefused: number;
  readonly actualRecipientsRefused: number;
  /** Rows whose refused recipients predate schema 6, so their kind (internal or external) was guessed. */
  readonly guessedKindRows: number;
  /** Rows refused in reality before any recipient was given: replayed as messages without recipients. */
  readonly unknownRecipientRows: number;
}

type Kind = 'i' | 'e';

/** A limit crossed: a LimitBreach, or the per-message cap (which is not a window). */
type Crossing = Pick<LimitBreach, 'count' | 'limit' | 'summary'> & { readonly rule: string };

/**
 * Replays one user's messages, oldest first, through the live engine's own pieces: the
 * SlidingWindows of the memory counters, recipientChecks / messageCheck / findBreach of
 * policy/sending-limits.ts, and Submission's order of decisions (restriction, messages per minute,
 * per-message cap, then hourly and daily recipient windows in one atomic consume; spam at DATA).
 *
 * What it cannot know is said, not guessed silently: within a message, accepted recipients are
 * offered before refused ones (as live refusals come after the crossing one), external before
 * internal; admin unblocks are not replayed (a restriction "until unblocked" lasts to the end of the
 * range); the suspicious-burst alert is not replayed. Rows before `reportFromMs` only warm up the
 * windows (events there are not reported), so the first hour and day of the range count right.
 */
export class UserReplay {
  readonly #userId: string;
  readonly #policy: OutboundPolicy;
  readonly #reportFromMs: number;
  readonly #windows = new SlidingWindows();
  #restrictedUntil: number | null = null;
  #messages = 0;
  #messagesRefused = 0;
  #recipientsRefused = 0;
  #restrictions = 0;
  #firstRestriction: WhatIfEvent | null = null;
  #firstDeferredAt: Date | null = null;
  #firstAlertedAt: Date | null = null;
  readonly #timeline: WhatIfEvent[] = [];
  #omitted = 0;
  #actualMessagesRefused = 0;
  #actualRecipientsRefused = 0;
  #guessed = 0;
  #unknown = 0;

  constructor(userId: string, policy: OutboundPolicy, reportFromMs: number) {
    this.#userId = userId;
    this.#policy = policy;
    this.#reportFromMs = reportFromMs;
  }

  /** One message-log row of this user; rows must come oldest first. */
  add(row: ReplayRow): void {
    // Not a policy matter: the sender was not the user's own address, so no limit ever saw it.
    if (row.reasonCode === 'SENDER_NOT_ALLOWED') return;
    const t = row.at;
    const reported = t >= this.#reportFromMs;
    const kinds = this.#recipientsOf(row, reported);
    if (reported) {
      this.#messages += 1;
      if (row.outcome === 'rejected' || row.outcome === 'deferred') this.#actualMessagesRefused += 1;
      this.#actualRecipientsRefused += row.refused;
    }
    const refuseAll = (n: number) => {
      if (!reported) return;
      this.#messagesRefused += 1;
      this.#recipientsRefused += n;
    };

    if (this.#restrictedUntil !== null) {
      if (t < this.#restrictedUntil) return refuseAll(kinds.length);
      this.#restrictedUntil = null;
      this.#event(reported, t, 'released', 'restriction', 0, 0, 'The restriction ended at UTC midnight');
    }
    const limits = this.#policy.limits;
    const throttle = messageCheck(this.#userId, limits);
    const sent = this.#windows.consume([throttle.check], t);
    if (!sent.allowed) {
      const over = findBreach([throttle], sent);
      this.#defer(reported, t, over);
      return refuseAll(kinds.length);
    }

    let accepted = 0;
    let refused = 0;
    const enforce = this.#policy.action !== 'alert';
    const cap = limits.recipientsPerMessage;
    for (const kind of kinds) {
      if (this.#restrictedUntil !== null) {
        refused += 1;
        continue;
      }
      if (cap > 0 && accepted >= cap) {
        refused += 1;
        this.#defer(reported, t, {
          rule: 'recipients-per-message',
          count: accepted + 1,
          limit: cap,
          summary: `A message may have at most ${cap} recipients`,
        });
        continue;
      }
      const checks = recipientChecks(this.#userId, limits, kind === 'i', enforce);
      const result = this.#windows.consume(
        checks.map((c) => c.check),
        t,
      );
      const over = findBreach(checks, result);
      if (result.allowed) {
        accepted += 1;
        if (over && this.#firstTime('limit', HOUR_MS, t)) this.#alert(reported, t, over);
        continue;
      }
      refused += 1;
      if (over) this.#restrict(reported, t, over);
    }
    if (refused > 0 && reported) this.#recipientsRefused += refused;

    if (accepted === 0 || row.spamScore === null) {
      if (refused > 0 && accepted === 0 && reported) this.#messagesRefused += 1;
      return;
    }
    this.#content(row.spamScore, accepted, t, reported);
  }

  /** The result so far (call after the user's last row). */
  result(): UserReplayResult {
    return {
      messages: this.#messages,
      messagesRefused: this.#messagesRefused,
      recipientsRefused: this.#recipientsRefused,
      restrictions: this.#restrictions,
      firstRestriction: this.#firstRestriction,
      firstDeferredAt: this.#firstDeferredAt,
      firstAlertedAt: this.#firstAlertedAt,
      timeline: this.#timeline,
      omittedEvents: this.#omitted,
      actualMessagesRefused: this.#actualMessagesRefused,
      actualRecipientsRefused: this.#actualRecipientsRefused,
      guessedKindRows: this.#guessed,
      unknownRecipientRows: this.#unknown,
    };
  }

  /** Spam at DATA: the stored score against the proposed threshold, counted in the spam window. */
  #content(score: number, accepted: number, t: number, reported: boolean): void {
    const p = this.#policy;
    if (score < p.spamScoreThreshold) return;
    if (reported) {
      this.#messagesRefused += 1;
      this.#recipientsRefused += accepted;
    }
    const windowMinutes = p.spamWindowMinutes;
    const spam = this.#windows.consume(
      [{ key: counterKeys.spam(this.#userId), windowMs: windowMinutes * MINUTE_MS, limit: 0, amount: 1 }],
      t,
    );
    const count = spam.totals[0] ?? 1;
    const needed = p.spamVerdictsToRestrict;
    const summary = `Message refused as spam (score ${score}, threshold ${p.spamScoreThreshold})`;
    if (needed <= 0 || count < needed) {
      this.#event(reported, t, 'spam-refused', 'spam-verdicts', count, needed, summary);
      return;
    }
    this.#restrict(reported, t, breach('spam-verdicts', count, needed, windowMinutes));
  }

  #restrict(reported: boolean, t: number, over: LimitBreach): void {
    // As Submission: "restrict" holds until an admin unblocks (not replayed), anything else until UTC midnight.
    this.#restrictedUntil =
      this.#policy.action === 'restrict' ? Number.POSITIVE_INFINITY : startOfUtcDay(new Date(t)).getTime() + DAY_MS;
    const e = this.#event(reported, t, 'restricted', over.rule, over.count, over.limit, over.summary);
    if (e === undefined) return;
    this.#restrictions += 1;
    this.#firstRestriction ??= e;
  }

  #defer(reported: boolean, t: number, over: Crossing | undefined): void {
    if (!reported) return;
    this.#firstDeferredAt ??= new Date(t);
    const rule = over?.rule ?? 'messages-per-minute';
    // One timeline line per rule per hour: a client retrying every second would drown the rest.
    if (!this.#firstTime(`defer:${rule}`, HOUR_MS, t)) return;
    this.#event(reported, t, 'deferred', rule, over?.count ?? 0, over?.limit ?? 0, over?.summary ?? 'Deferred');
  }

  #alert(reported: boolean, t: number, over: LimitBreach): void {
    if (!reported) return;
    this.#firstAlertedAt ??= new Date(t);
    this.#event(reported, t, 'alerted', over.rule, over.count, over.limit, over.summary);
  }

  /** The live engine's one-shot alert gate, on the replay's own windows. */
  #firstTime(name: string, windowMs: number, t: number): boolean {
    return this.#windows.consume([{ key: counterKeys.alertGate(this.#userId, name), windowMs, limit: 1, amount: 1 }], t)
      .allowed;
  }

  #event(
    reported: boolean,
    t: number,
    kind: WhatIfEventKind,
    rule: string,
    count: number,
    limit: number,
    summary: string,
  ): WhatIfEvent | undefined {
    if (!reported) return undefined;
    const e: WhatIfEvent = { at: new Date(t), kind, rule, count, limit, summary };
    if (this.#timeline.length < TIMELINE_MAX) this.#timeline.push(e);
    else this.#omitted += 1;
    return e;
  }

  /** The recipients the client offered, in the order the replay offers them (see the class comment). */
  #recipientsOf(row: ReplayRow, reported: boolean): Kind[] {
    let refusedInternal = row.refusedInternal;
    let refusedExternal = row.refusedExternal;
    if (refusedInternal === null || refusedExternal === null) {
      refusedInternal = 0;
      refusedExternal = row.refused;
      if (row.refused > 0 && reported) this.#guessed += 1;
    }
    const n = row.internal + row.external + refusedInternal + refusedExternal;
    if (n === 0 && reported && (row.outcome === 'rejected' || row.outcome === 'deferred')) this.#unknown += 1;
    const kinds: Kind[] = [];
    for (let i = 0; i < row.external; i++) kinds.push('e');
    for (let i = 0; i < row.internal; i++) kinds.push('i');
    for (let i = 0; i < refusedExternal; i++) kinds.push('e');
    for (let i = 0; i < refusedInternal; i++) kinds.push('i');
    return kinds;
  }
}

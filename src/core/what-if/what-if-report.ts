import type { PastRestriction, ReplayUser } from '../../ports/replay-source.js';
import type { OutboundPolicy } from '../policy/outbound-policy.js';
import type { UserReplayResult, WhatIfEvent } from './user-replay.js';

/** How the proposed policy changes a user's restriction, against what really happened in the range. */
export type WhatIfChange = 'new' | 'no-longer' | 'still' | 'none';

/** One user in a what-if answer. */
export interface WhatIfUser extends Omit<UserReplayResult, 'guessedKindRows' | 'unknownRecipientRows'> {
  readonly userId: string;
  readonly email: string;
  /** The user no longer exists; matched by the sender address with no groups. */
  readonly isDeleted: boolean;
  /** The policy that governs the user once the proposal is in place. */
  readonly policyName: string;
  readonly change: WhatIfChange;
  readonly actualRestrictedAt: Date | null;
  readonly actualRule: string | null;
  readonly actualRestrictions: number;
}

/** The totals of a what-if: always over every user and row of the range, however many users are listed. */
export interface WhatIfTotals {
  readonly restricted: number;
  readonly newRestrictions: number;
  readonly noLongerRestricted: number;
  readonly stillRestricted: number;
  readonly deferred: number;
  readonly alerted: number;
  readonly messagesRefused: number;
  readonly recipientsRefused: number;
  readonly actualRestricted: number;
  readonly actualMessagesRefused: number;
  readonly actualRecipientsRefused: number;
}

/** What a replay had to assume; each non-zero number is shown next to the answer. */
export interface WhatIfCaveats {
  /** Rows from before schema 6: their refused recipients were replayed as external ones. */
  readonly guessedKindRows: number;
  /** Messages refused in reality before any recipient was given: replayed without recipients. */
  readonly unknownRecipientRows: number;
  /** Users deleted since: matched by their sender address, with no groups. */
  readonly deletedUsers: number;
}

/** The answer of a what-if replay. Nothing in it was stored or changed. */
export interface WhatIfReport {
  readonly policy: { readonly id: string; readonly name: string; readonly isDefault: boolean };
  readonly since: Date;
  readonly until: Date;
  readonly days: number;
  readonly retentionDays: number;
  /** Message-log rows replayed in the range (warm-up rows of the day before are not counted). */
  readonly rowsReplayed: number;
  readonly usersSeen: number;
  /** Users with anything to show: restricted, deferred, alerted or refused spam now or in reality. */
  readonly usersAffected: number;
  /** The affected users, earliest first, at most `maxUsers` of them. */
  readonly users: readonly WhatIfUser[];
  /** True when `users` holds fewer than `usersAffected` (the totals still count everyone). */
  readonly isTruncated: boolean;
  readonly totals: WhatIfTotals;
  readonly caveats: WhatIfCaveats;
  /** The log holds no message of any user in the range: there was nothing to replay. */
  readonly isEmpty: boolean;
}

type MutableTotals = { -readonly [K in keyof WhatIfTotals]: WhatIfTotals[K] };

/**
 * Gathers per-user results into a WhatIfReport with bounded memory: totals over everyone, the
 * listed users kept to the `maxUsers` earliest (sorted and cut whenever twice that many wait).
 */
export class WhatIfCollector {
  readonly #maxUsers: number;
  readonly #actual: ReadonlyMap<string, readonly PastRestriction[]>;
  readonly #seen = new Set<string>();
  #listed: WhatIfUser[] = [];
  #affected = 0;
  #rows = 0;
  #guessed = 0;
  #unknown = 0;
  #deleted = 0;
  readonly #totals: MutableTotals = {
    restricted: 0,
    newRestrictions: 0,
    noLongerRestricted: 0,
    stillRestricted: 0,
    deferred: 0,
    alerted: 0,
    messagesRefused: 0,
    recipientsRefused: 0,
    actualRestricted: 0,
    actualMessagesRefused: 0,
    actualRecipientsRefused: 0,
  };

  constructor(maxUsers: number, actual: readonly PastRestriction[]) {
    this.#maxUsers = maxUsers;
    const byUser = new Map<string, PastRestriction[]>();
    for (const r of actual) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
    this.#actual = byUser;
  }

  /** User ids restricted in reality that no row of the range named (added by `add` with an empty result). */
  unseenRestrictedUsers(): string[] {
    return [...this.#actual.keys()].filter((id) => !this.#seen.has(id));
  }

  add(user: ReplayUser, isDeleted: boolean, policy: OutboundPolicy, r: UserReplayResult): void {
    this.#seen.add(user.id);
    this.#rows += r.messages;
    this.#guessed += r.guessedKindRows;
    this.#unknown += r.unknownRecipientRows;
    if (isDeleted) this.#deleted += 1;
    const t = this.#totals;
    const past = this.#actual.get(user.id) ?? [];
    const wasRestricted = past.length > 0;
    const isRestricted = r.restrictions > 0;
    t.messagesRefused += r.messagesRefused;
    t.recipientsRefused += r.recipientsRefused;
    t.actualMessagesRefused += r.actualMessagesRefused;
    t.actualRecipientsRefused += r.actualRecipientsRefused;
    if (isRestricted) t.restricted += 1;
    if (wasRestricted) t.actualRestricted += 1;
    if (r.firstDeferredAt) t.deferred += 1;
    if (r.firstAlertedAt) t.alerted += 1;
    const change: WhatIfChange =
      isRestricted && wasRestricted ? 'still' : isRestricted ? 'new' : wasRestricted ? 'no-longer' : 'none';
    if (change === 'new') t.newRestrictions += 1;
    if (change === 'no-longer') t.noLongerRestricted += 1;
    if (change === 'still') t.stillRestricted += 1;
    if (change === 'none' && r.timeline.length === 0 && r.omittedEvents === 0) return;

    this.#affected += 1;
    const { guessedKindRows: _g, unknownRecipientRows: _u, ...shown } = r;
    this.#listed.push({
      ...shown,
      userId: user.id,
      email: user.email,
      isDeleted,
      policyName: policy.name,
      change,
      actualRestrictedAt: past[0]?.at ?? null,
      actualRule: past[0]?.rule ?? null,
      actualRestrictions: past.length,
    });
    if (this.#listed.length >= 2 * this.#maxUsers) this.#cut();
  }

  /** The report (call once, after the last user). */
  report(head: Pick<WhatIfReport, 'policy' | 'since' | 'until' | 'days' | 'retentionDays'>): WhatIfReport {
    this.#cut();
    return {
      ...head,
      rowsReplayed: this.#rows,
      usersSeen: this.#seen.size,
      usersAffected: this.#affected,
      users: this.#listed,
      isTruncated: this.#listed.length < this.#affected,
      totals: { ...this.#totals },
      caveats: { guessedKindRows: this.#guessed, unknownRecipientRows: this.#unknown, deletedUsers: this.#deleted },
      isEmpty: this.#rows === 0,
    };
  }

  #cut(): void {
    this.#listed.sort((a, b) => firstMoment(a) - firstMoment(b) || (a.email < b.email ? -1 : 1));
    if (this.#listed.length > this.#maxUsers) this.#listed = this.#listed.slice(0, this.#maxUsers);
  }
}

function firstMoment(u: WhatIfUser): number {
  const times = [u.timeline[0]?.at, u.actualRestrictedAt].filter((d): d is Date => d instanceof Date);
  return times.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...times.map((d) => d.getTime()));
}

/** An empty replay result, for a user restricted in reality with no row left in the range. */
export function emptyResult(): UserReplayResult {
  return {
    messages: 0,
    messagesRefused: 0,
    recipientsRefused: 0,
    restrictions: 0,
    firstRestriction: null,
    firstDeferredAt: null,
    firstAlertedAt: null,
    timeline: [] as WhatIfEvent[],
    omittedEvents: 0,
    actualMessagesRefused: 0,
    actualRecipientsRefused: 0,
    guessedKindRows: 0,
    unknownRecipientRows: 0,
  };
}

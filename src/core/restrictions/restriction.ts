/** How long a restriction lasts: until the next UTC midnight, or until an admin unblocks. */
export type RestrictionKind = 'until-tomorrow' | 'until-unblocked';

/** Why a sender was restricted: the counts and verdicts that triggered it. */
export interface RestrictionEvidence {
  /** The rule that fired, e.g. "external-per-hour" or "spam-verdicts". */
  readonly rule: string;
  /** A sentence a person can read, e.g. "6 external recipients in the last hour; limit 5". */
  readonly summary: string;
  /** Counts at the moment of the restriction, by window name. */
  readonly counts: Readonly<Record<string, number>>;
  /** The limit that was crossed, when the rule is a limit. */
  readonly limit?: number | undefined;
  /** The window the count covers, in minutes (the policy's spam window for spam verdicts). */
  readonly windowMinutes?: number | undefined;
  /** Recent spam verdicts (message ids and scores), when the rule is content. */
  readonly verdicts?: readonly SpamVerdictEvidence[] | undefined;
}

/** One spam verdict kept as evidence: the built-in score, which scorers said spam, and the scanner's figures. */
export interface SpamVerdictEvidence {
  readonly messageId: string;
  /** The built-in scorer's score. */
  readonly score: number;
  /** ISO time of the verdict. */
  readonly at: string;
  /** The scorers that said spam: "builtin", "rspamd". Absent on restrictions stored before issue 15. */
  readonly by?: readonly string[] | undefined;
  /** The external scanner's name, action, score and top symbols (e.g. GTUBE), when it answered. */
  readonly scanner?: string | undefined;
  readonly scannerAction?: string | undefined;
  readonly scannerScore?: number | undefined;
  readonly symbols?: readonly string[] | undefined;
}

/** Who ended a restriction, and how. */
export type ReleaseKind = 'unblock' | 'auto';

/** The recommended steps of the Unblock flyout, recorded with the unblock when done first. */
export const UNBLOCK_STEPS = [
  'reset-password',
  'revoke-sessions',
  'revoke-app-passwords',
  'require-totp',
  'review-messages',
] as const;
/** One recommended step before an unblock, from UNBLOCK_STEPS; recorded in the audit entry. */
export type UnblockStep = (typeof UNBLOCK_STEPS)[number];

/** One restriction of one user. Active while releasedAt is null and releaseAt (if any) is in the future. */
export interface Restriction {
  readonly id: string;
  readonly userId: string;
  readonly kind: RestrictionKind;
  readonly evidence: RestrictionEvidence;
  readonly restrictedAt: Date;
  /** Automatic release time (next UTC midnight) for until-tomorrow; null for until-unblocked. */
  readonly releaseAt: Date | null;
  readonly releasedAt: Date | null;
  /** Id of the admin who unblocked, or "system" for an automatic release. */
  readonly releasedBy: string | null;
  readonly releaseKind: ReleaseKind | null;
  /** Steps of the flyout done before the unblock. */
  readonly stepsDone: readonly UnblockStep[];
}

/** True while the restriction still stops the user from sending at `now`. */
export function isActive(r: Restriction, now: Date): boolean {
  return r.releasedAt === null && (r.releaseAt === null || r.releaseAt.getTime() > now.getTime());
}

/** The next UTC midnight strictly after `now`. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** The UTC midnight that starts the day of `now`. */
export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

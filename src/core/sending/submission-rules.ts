import type { AlertType } from '../alerts/alert.js';
import type { Actor } from '../audit/audit-event.js';
import type { User } from '../directory/user.js';
import type { ErrorCode } from '../errors.js';
import type { OutboundPolicy } from '../policy/outbound-policy.js';
import { MINUTE_MS, type LimitRule } from '../policy/sending-limits.js';
import type { Restriction, RestrictionEvidence, RestrictionKind } from '../restrictions/restriction.js';
import type { Decision } from './decision.js';
import type { MessageExtra } from './submission-port.js';

/** What RestrictionService.restrictUser takes (idempotent: returns the open restriction if any). */
export interface RestrictInput {
  readonly userId: string;
  readonly kind: RestrictionKind;
  readonly evidence: RestrictionEvidence;
  readonly actor?: Actor | undefined;
  /**
   * The alerts a new restriction raises, written in the transaction that creates it (so the
   * restriction and its alerts commit together or not at all); not called when one was already open.
   */
  readonly alerts?: ((restriction: Restriction, user: User) => readonly RaiseAlertInput[]) | undefined;
}

/** What AlertService.raise takes. */
export interface RaiseAlertInput {
  readonly type: AlertType;
  readonly userId: string | null;
  readonly userEmail: string | null;
  readonly summary: string;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** What one SMTP command is decided on, read once at its start. */
export interface Snapshot {
  /** The restriction that stops the user now, if any. */
  readonly restriction: Restriction | undefined;
  /** Every policy (matchPolicy picks the user's once the restriction check has passed). */
  readonly policies: readonly OutboundPolicy[];
  readonly domains: readonly string[];
  /** The id under which the user's sending windows are counted: the user id, plus the last unblock time. */
  readonly windows: string;
}

/** The suspicious pattern: this many recipients within BURST_WINDOW_MS of a new client address. */
export const BURST_RECIPIENTS = 20;
/** The window of the suspicious pattern: 10 minutes. */
export const BURST_WINDOW_MS = 10 * MINUTE_MS;

/** What checkMessage answers: the Decision with the content verdict. */
export type MessageDecision = Decision & {
  readonly spamScore: number;
  readonly isSpam: boolean;
  /** The scorers that called it spam (or soft-rejected it), e.g. ["builtin", "rspamd"]. */
  readonly spamBy?: readonly string[] | undefined;
  /** Set when the message counted as evidence (a spam verdict or a refused Send As): the gateway keeps it. */
  readonly evidence?: 'spam' | 'send-as' | undefined;
};

const NO_RULES: ReadonlySet<string> = new Set();

/** The id under which the user's sending windows are counted: the user id, plus the last unblock time. */
export function windowsOf(user: Pick<User, 'id'>, lastUnblockAt: Date | null): string {
  return lastUnblockAt === null ? user.id : `${user.id}:g${lastUnblockAt.getTime()}`;
}

/** The refusal for a restricted user; `exempt` rules let a message whose recipients were already counted through. */
export function refusalFor(
  user: Pick<User, 'email'>,
  active: Restriction | undefined,
  exempt: ReadonlySet<string> = NO_RULES,
): Decision | undefined {
  if (active === undefined || exempt.has(active.evidence.rule)) return undefined;
  return refuse(
    'reject',
    'SENDER_RESTRICTED',
    `${user.email} is restricted from sending (${active.evidence.summary}).`,
  );
}

/**
 * At DATA, a restriction fired by one of these limits does not stop the message: its recipients
 * were accepted earlier (each RCPT re-reads the restriction), so the atomic count already holds
 * them within the limit. contract.md: the crossing RCPT "and all later ones" get 550 5.1.8, and
 * with 50 parallel sessions exactly the limit's worth of recipients is delivered, not fewer.
 * Spam verdicts and manual restrictions still stop every message in flight.
 */
export const RECIPIENT_COUNT_RULES: ReadonlySet<string> = new Set<LimitRule>([
  'external-per-hour',
  'internal-per-hour',
  'per-day',
]);

/** How long a restriction of this kind lasts, in words. */
export function describeKind(kind: RestrictionKind): string {
  return kind === 'until-tomorrow' ? 'until tomorrow (UTC midnight)' : 'until an admin unblocks them';
}

/** A refusal Decision. */
export function refuse(kind: 'defer' | 'reject' | 'restrict', code: ErrorCode, reason: string): Decision {
  return { kind, code, reason };
}

/** What one piece of evidence carries into #evidence: the refusal, and the verdict as the restriction keeps it. */
export interface EvidenceFound {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly spamScore: number;
  readonly spamBy: readonly string[];
  readonly seen: ReturnType<typeof verdictEvidence>;
}

/** One verdict (spam or a refused Send As) as the restriction's evidence keeps it: which scorers, and the scanner's score and symbols. */
export function verdictEvidence(
  extra: MessageExtra,
  bodyHash: string,
  score: number,
  by: readonly string[],
  now: Date,
) {
  const scan = extra.scan?.state === 'scored' ? extra.scan : undefined;
  return {
    messageId: extra.messageId ?? bodyHash,
    score,
    at: now.toISOString(),
    by: [...by],
    ...(scan
      ? {
          scanner: scan.scanner,
          scannerAction: scan.action,
          scannerScore: scan.score,
          symbols: scan.symbols.map((s) => s.name),
        }
      : {}),
  };
}

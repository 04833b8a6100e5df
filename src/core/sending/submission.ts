import type { Clock } from '../../ports/clock.js';
import type { ContentVerdict, MessageFacts } from '../../ports/content-scorer.js';
import type { CounterStore, WindowCheck, WindowResult } from '../../ports/counter-store.js';
import type { SendingStateStore, UnitOfWork } from '../../ports/stores.js';
import type { AlertType } from '../alerts/alert.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { parseAddress } from '../directory/address.js';
import { canSendAs, sendAsProblem } from '../directory/send-as.js';
import type { Sender } from '../directory/user.js';
import type { ContentInput } from '../policy/content-scorer.js';
import type { OutboundPolicy } from '../policy/outbound-policy.js';
import { matchPolicy } from '../policy/policy-match.js';
import {
  breach,
  counterKeys,
  DAY_MS,
  findBreach,
  HOUR_MS,
  isInternalRecipient,
  type LimitBreach,
  type LimitCheck,
  messageCheck,
  MINUTE_MS,
  recipientChecks,
} from '../policy/sending-limits.js';
import {
  isActive,
  type Restriction,
  type RestrictionEvidence,
  type RestrictionKind,
  startOfUtcDay,
} from '../restrictions/restriction.js';
import { BUILTIN_SCORER, combineVerdicts, type AddHeaderMode } from '../policy/combined-verdict.js';
import { ACCEPT, type Decision } from './decision.js';
import {
  describeKind,
  RECIPIENT_COUNT_RULES,
  refusalFor,
  refuse,
  windowsOf,
  verdictEvidence,
  BURST_RECIPIENTS,
  BURST_WINDOW_MS,
  type EvidenceFound,
  type MessageDecision,
  type RaiseAlertInput,
  type RestrictInput,
  type Snapshot,
} from './submission-rules.js';

export { BURST_RECIPIENTS, BURST_WINDOW_MS } from './submission-rules.js';
export type { RaiseAlertInput, RestrictInput } from './submission-rules.js';
import type {
  Envelope,
  FirstRecipientDecision,
  MessageExtra,
  PolicyGuard,
  SubmissionGuard,
} from './submission-port.js';

/** The ports and bound services Submission needs, one by one. */
export interface SubmissionDeps {
  readonly uow: UnitOfWork;
  readonly counters: CounterStore;
  readonly clock: Clock;
  /** The built-in scorer (builtInContentScorer) or any ContentScorer; it may ignore sameBodyCount. */
  readonly scorer: { score(input: ContentInput): Promise<ContentVerdict> };
  /** RestrictionService.restrictUser */
  readonly restrict: (input: RestrictInput) => Promise<Restriction>;
  /** RestrictionService.activeRestriction: re-read on every call so an unblock applies to the next RCPT. */
  readonly activeRestriction: (userId: string) => Promise<Restriction | undefined>;
  /** AlertService.raise */
  readonly raiseAlert: (input: RaiseAlertInput) => Promise<unknown>;
  /**
   * The open restriction, the last admin unblock, the policies and the organisation's domains in one
   * store round trip per command (docs/benchmarks.md). The sending windows start afresh after an
   * unblock: their counter keys carry its time, so an unblock made by another process (the CLI) or
   * node applies to the very next recipient even when counters live in this process's memory.
   * An open restriction past its release time is handed to activeRestriction, which releases it.
   */
  readonly sendingState: SendingStateStore;
  /** What an external scanner's "add header" / "rewrite subject" counts as (default: evidence only). */
  readonly scannerAddHeader?: AddHeaderMode | undefined;
}

/**
 * The policy engine at the submission gateway (contract.md, SMTP answers). Every call reads the
 * restriction and the policy afresh and counts through the CounterStore in one atomic consume,
 * so no recipient beyond a limit is accepted however many sessions a user opens.
 *
 * Suspicious pattern (kept simple): a client address not seen for the user in the last 24 h
 * marks "new address" for 10 minutes; while that mark stands, the 20th recipient accepted
 * within 10 minutes raises 'suspicious-sending', at most once per user per 24 h.
 */
export class Submission implements SubmissionGuard, PolicyGuard {
  readonly #d: SubmissionDeps;

  constructor(deps: SubmissionDeps) {
    this.#d = deps;
  }

  async checkSender(user: Sender, mailFrom: string, clientAddress: string | null): Promise<Decision> {
    const plan = await this.#senderPlan(user, mailFrom, clientAddress);
    if ('refused' in plan) return plan.refused;
    return senderVerdict(plan, await this.#d.counters.consume(plan.checks, plan.now));
  }

  async checkRecipient(envelope: Envelope, recipient: string): Promise<Decision> {
    const snapshot = await this.#snapshot(envelope.user);
    const plan = this.#recipientPlan(envelope, recipient, snapshot, this.#d.clock.now());
    if ('refused' in plan) return plan.refused;
    return this.#recipientVerdict(envelope, plan, await this.#d.counters.consume(plan.checks, plan.now));
  }

  async checkFirstRecipient(envelope: Envelope, recipient: string): Promise<FirstRecipientDecision> {
    const plan = await this.#senderPlan(envelope.user, envelope.mailFrom, envelope.clientAddress);
    if ('refused' in plan) return { sender: plan.refused };
    const next = this.#recipientPlan(envelope, recipient, plan.snapshot, plan.now);
    // The sender's group, then the recipient's only if the sender passed: one atomic step.
    const groups = 'refused' in next ? [plan.checks] : [plan.checks, next.checks];
    const [senderResult, recipientResult] = await this.#d.counters.consumeInOrder(groups, plan.now);
    const sender = senderVerdict(plan, senderResult as WindowResult);
    if (sender.kind !== 'accept') return { sender };
    if ('refused' in next) return { sender, recipient: next.refused };
    return { sender, recipient: await this.#recipientVerdict(envelope, next, recipientResult as WindowResult) };
  }

  /** The sender rules before counting: Send As, the restriction, then the checks to consume. */
  async #senderPlan(user: Sender, mailFrom: string, clientAddress: string | null): Promise<SenderPlan | Refused> {
    const from = parseAddress(mailFrom) ?? '';
    if (!canSendAs(user, from)) {
      return {
        refused: refuse('reject', 'SENDER_NOT_ALLOWED', `${mailFrom || '<>'} is not an address of ${user.email}.`),
      };
    }
    const snapshot = await this.#snapshot(user);
    const restricted = refusalFor(user, snapshot.restriction);
    if (restricted) return { refused: restricted };
    const policy = matchPolicy(snapshot.policies, user);
    const throttle = messageCheck(snapshot.windows, policy.limits);
    const checks: WindowCheck[] = [throttle.check];
    // A client address first seen in 24 h marks "new address" for the burst pattern (see the class comment).
    if (clientAddress !== null)
      checks.push({
        key: counterKeys.clientAddress(user.id, clientAddress),
        windowMs: DAY_MS,
        limit: 0,
        amount: 1,
        marks: { key: counterKeys.newAddress(user.id), windowMs: BURST_WINDOW_MS },
      });
    return { snapshot, now: this.#d.clock.now(), throttle, checks };
  }

  /** The recipient rules before counting: restriction, per-message cap, then the checks to consume. */
  #recipientPlan(envelope: Envelope, recipient: string, snapshot: Snapshot, now: Date): RecipientPlan | Refused {
    const { user } = envelope;
    const restricted = refusalFor(user, snapshot.restriction);
    if (restricted) return { refused: restricted };
    const policy = matchPolicy(snapshot.policies, user);
    const cap = policy.limits.recipientsPerMessage;
    if (cap > 0 && envelope.accepted.length >= cap) {
      return { refused: refuse('defer', 'TOO_MANY_RECIPIENTS', `A message may have at most ${cap} recipients.`) };
    }
    const limits = recipientChecks(
      snapshot.windows,
      policy.limits,
      isInternalRecipient(recipient, snapshot.domains),
      policy.action !== 'alert',
    );
    // After the limits: the burst count, the new-address mark, and a look at the suspicious-sending
    // alert's gate in the same atomic step, so a burst whose alert went out already costs no second
    // counter round trip per recipient (#noticeBurst).
    const pattern: WindowCheck[] = [
      { key: counterKeys.burst(user.id), windowMs: BURST_WINDOW_MS, limit: 0, amount: 1 },
      { key: counterKeys.newAddress(user.id), windowMs: BURST_WINDOW_MS, limit: 0, amount: 0 },
      { key: counterKeys.alertGate(user.id, SUSPICIOUS_GATE), windowMs: DAY_MS, limit: 0, amount: 0 },
    ];
    return { policy, limits, now, checks: [...limits.map((l) => l.check), ...pattern] };
  }

  /** What a recipient's counted checks mean: accept (with the burst and alert notices), defer or restrict. */
  async #recipientVerdict(envelope: Envelope, plan: RecipientPlan, result: WindowResult): Promise<Decision> {
    const { user } = envelope;
    const { limits, policy, now } = plan;
    const over = findBreach(limits, result);
    if (result.allowed) {
      const at = limits.length;
      const pattern = { burst: result.totals[at] ?? 0, newAddresses: result.totals[at + 1] ?? 0 };
      await this.#noticeBurst(envelope, { ...pattern, alerted: (result.totals[at + 2] ?? 0) > 0 }, now);
      // Under "alert" the recipient is accepted and counted; admins hear of it once an hour.
      if (over) await this.#limitAlert(user, over, policy, now);
      return { kind: 'accept', countedAt: now };
    }
    if (over === undefined) return refuse('defer', 'SENDING_LIMIT_DEFERRED', 'A sending limit was reached.');
    if (await this.#unblockedTodayFor(user.id, over.rule, now)) {
      // An admin already let this user go today for this very rule: hold the mail, do not restrict again.
      await this.#limitAlert(user, over, policy, now);
      return refuse(
        'defer',
        'SENDING_LIMIT_DEFERRED',
        `${over.summary}; ${user.email} was unblocked today, so mail beyond the limit waits.`,
      );
    }
    const counts = Object.fromEntries(limits.map((l, i) => [l.rule, (result.totals[i] ?? 0) + l.check.amount]));
    const restriction = await this.#restrictOnce(
      user,
      policy.action === 'restrict' ? 'until-unblocked' : 'until-tomorrow',
      { rule: over.rule, summary: over.summary, counts, limit: over.limit },
      [{ type: 'sending-limit-exceeded', summary: `${user.email} crossed a sending limit: ${over.summary}.` }],
    );
    return refuse(
      'restrict',
      'SENDER_RESTRICTED',
      `${over.summary}; ${user.email} is restricted ${describeKind(restriction.kind)}.`,
    );
  }

  async releaseRecipient(envelope: Envelope, recipient: string, countedAt: Date): Promise<void> {
    const { user } = envelope;
    const snapshot = await this.#snapshot(user);
    const policy = matchPolicy(snapshot.policies, user);
    const internal = isInternalRecipient(recipient, snapshot.domains);
    // Negative amounts at the original time land in the very buckets the recipient was added to.
    const checks = recipientChecks(snapshot.windows, policy.limits, internal, false).map((l) => ({
      ...l.check,
      limit: 0,
      amount: -l.check.amount,
    }));
    checks.push({ key: counterKeys.burst(user.id), windowMs: BURST_WINDOW_MS, limit: 0, amount: -1 });
    await this.#d.counters.consume(checks, countedAt);
  }

  async checkMessage(envelope: Envelope, facts: MessageFacts, extra: MessageExtra = {}): Promise<MessageDecision> {
    const { user } = envelope;
    const snapshot = await this.#snapshot(user);
    const restricted = refusalFor(user, snapshot.restriction, RECIPIENT_COUNT_RULES);
    if (restricted) return { ...restricted, spamScore: 0, isSpam: false };
    const now = this.#d.clock.now();
    const policy = matchPolicy(snapshot.policies, user);
    const impersonation = extra.senders === undefined ? null : sendAsProblem(user, extra.senders);
    if (impersonation !== null) {
      // A hijacked mailbox impersonating someone is evidence, counted like a spam verdict.
      const reason = `Send As refused: ${impersonation}.`;
      const seen = verdictEvidence(extra, facts.bodyHash, 0, [], now);
      return this.#evidence(user, snapshot, policy, now, {
        code: 'SENDER_NOT_ALLOWED',
        reason,
        spamScore: 0,
        spamBy: [],
        seen,
      });
    }
    const sent = facts.recipients.length;
    const body = await this.#d.counters.consume(
      [{ key: counterKeys.body(user.id, facts.bodyHash), windowMs: HOUR_MS, limit: 0, amount: sent }],
      now,
    );
    const sameBodyCount = (body.totals[0] ?? sent) - sent;
    const input: ContentInput = { ...facts, sameBodyCount };
    const verdict = await this.#d.scorer.score(input);
    const spamScore = verdict.score;
    const combined = combineVerdicts(
      verdict,
      policy.spamScoreThreshold,
      extra.scan,
      this.#d.scannerAddHeader ?? 'evidence',
    );
    if (combined.kind === 'clean') return { kind: 'accept', spamScore, isSpam: false };
    if (combined.kind === 'defer') {
      const reason = `Message held for a later try (${combined.detail}).`;
      return { kind: 'defer', code: 'CONTENT_DEFERRED', reason, spamScore, isSpam: false, spamBy: combined.by };
    }
    const spamBy = combined.by;
    const onlyBuiltin = spamBy.length === 1 && spamBy[0] === BUILTIN_SCORER;
    const top = verdict.signals
      .slice(0, 3)
      .map((s) => s.detail)
      .join('; ');
    const reason = onlyBuiltin
      ? `Message refused as spam (score ${spamScore}, threshold ${policy.spamScoreThreshold}): ${top}.`
      : `Message refused as spam by ${spamBy.join(' and ')} (${combined.detail}).`;
    const seen = verdictEvidence(extra, facts.bodyHash, spamScore, spamBy, now);
    return this.#evidence(user, snapshot, policy, now, { code: 'SPAM_DETECTED', reason, spamScore, spamBy, seen });
  }

  /** One more piece of evidence (a spam verdict or a refused Send As); enough of them within the window restrict. */
  async #evidence(
    user: Sender,
    snapshot: Snapshot,
    policy: OutboundPolicy,
    now: Date,
    found: EvidenceFound,
  ): Promise<MessageDecision> {
    const { code, reason, spamScore, spamBy } = found;
    const isSpam = code === 'SPAM_DETECTED';
    const evidenceKind = isSpam ? 'spam' : 'send-as';
    const windowMinutes = policy.spamWindowMinutes;
    const spam = await this.#d.counters.consume(
      [
        {
          key: counterKeys.spam(snapshot.windows),
          windowMs: windowMinutes * MINUTE_MS,
          limit: 0,
          amount: 1,
        },
      ],
      now,
    );
    const count = spam.totals[0] ?? 1;
    const needed = policy.spamVerdictsToRestrict;
    if (needed <= 0 || count < needed)
      return { kind: 'reject', code, reason, spamScore, isSpam, spamBy, evidence: evidenceKind };

    // Spam is proof, not a count of recipients: it restricts even under "alert" and even after an unblock today.
    const evidence = breach('spam-verdicts', count, needed, windowMinutes);
    const restriction = await this.#restrictOnce(
      user,
      policy.action === 'restrict' ? 'until-unblocked' : 'until-tomorrow',
      {
        rule: 'spam-verdicts',
        summary: evidence.summary,
        counts: { 'spam-verdicts': count },
        limit: needed,
        windowMinutes,
        verdicts: [found.seen],
      },
      [],
    );
    return {
      kind: 'restrict',
      code: 'SENDER_RESTRICTED',
      reason: `${reason} ${evidence.summary}; ${user.email} is restricted ${describeKind(restriction.kind)}.`,
      spamScore,
      isSpam,
      spamBy,
      evidence: evidenceKind,
    };
  }

  /**
   * The restriction, policy, domains and windows of a user, read afresh for every command (so an
   * unblock or a restriction from any process applies to the next one), in one round trip.
   */
  async #snapshot(user: Sender): Promise<Snapshot> {
    const state = await this.#d.sendingState.read(user.id, user.orgId);
    const { open } = state;
    // Past its release time: the service releases it (and says whether anything still stands).
    const restriction =
      open === undefined || isActive(open, this.#d.clock.now()) ? open : await this.#d.activeRestriction(user.id);
    return {
      restriction,
      policies: state.policies,
      domains: state.orgDomains,
      windows: windowsOf(user, state.lastUnblockAt),
    };
  }

  /** True when an admin unblocked the user earlier this UTC day from a restriction fired by `rule`. */
  async #unblockedTodayFor(userId: string, rule: string, now: Date): Promise<boolean> {
    const dayStart = startOfUtcDay(now).getTime();
    const history = await this.#d.uow.run((s) => s.restrictions.listByUser(userId));
    return history.some(
      (r) =>
        r.releaseKind === 'unblock' &&
        r.releasedAt !== null &&
        r.releasedAt.getTime() >= dayStart &&
        r.evidence.rule === rule,
    );
  }

  /**
   * Restricts (idempotently); a new restriction raises its alerts in the transaction that creates
   * it, so they commit together, and only the session that created it raises them.
   */
  async #restrictOnce(
    user: Sender,
    kind: RestrictionKind,
    evidence: RestrictionEvidence,
    extra: readonly { type: AlertType; summary: string }[],
  ): Promise<Restriction> {
    return this.#d.restrict({
      userId: user.id,
      kind,
      evidence,
      actor: SYSTEM_ACTOR,
      alerts: (restriction) => {
        const details = {
          restrictionId: restriction.id,
          rule: restriction.evidence.rule,
          counts: restriction.evidence.counts,
          limit: restriction.evidence.limit,
        };
        const about = { userId: user.id, userEmail: user.email, details };
        return [
          ...extra.map((alert) => ({ ...about, type: alert.type, summary: alert.summary })),
          {
            ...about,
            type: 'user-restricted' as const,
            summary: `${user.email} was restricted from sending email ${describeKind(restriction.kind)}: ${restriction.evidence.summary}.`,
          },
        ];
      },
    });
  }

  async #limitAlert(user: Sender, over: LimitBreach, policy: OutboundPolicy, now: Date): Promise<void> {
    if (!(await this.#firstTime(user.id, 'limit', HOUR_MS, now))) return;
    await this.#alert('sending-limit-exceeded', user, `${user.email} crossed a sending limit: ${over.summary}.`, {
      rule: over.rule,
      count: over.count,
      limit: over.limit,
      action: policy.action,
    });
  }

  /**
   * The suspicious-sending alert, once a day per user (across nodes: the gate is a counter).
   * `alerted`: the gate was already closed when this recipient was counted (read in the same step).
   */
  async #noticeBurst(
    envelope: Envelope,
    pattern: { burst: number; newAddresses: number; alerted: boolean },
    now: Date,
  ): Promise<void> {
    const { user } = envelope;
    if (pattern.newAddresses === 0 || pattern.burst < BURST_RECIPIENTS || pattern.alerted) return;
    if (!(await this.#firstTime(user.id, SUSPICIOUS_GATE, DAY_MS, now))) return;
    const where = envelope.clientAddress ?? 'a new address';
    await this.#alert(
      'suspicious-sending',
      user,
      `${user.email} sent to ${pattern.burst} recipients within 10 minutes of a first message from a client address not seen in the last 24 hours (${where}).`,
      { clientAddress: envelope.clientAddress, recipients: pattern.burst, windowMinutes: BURST_WINDOW_MS / MINUTE_MS },
    );
  }

  /** A one-shot gate on the counters: true for the first caller per window, across nodes. */
  async #firstTime(userId: string, name: string, windowMs: number, now: Date): Promise<boolean> {
    const gate = await this.#d.counters.consume(
      [{ key: counterKeys.alertGate(userId, name), windowMs, limit: 1, amount: 1 }],
      now,
    );
    return gate.allowed;
  }

  async #alert(
    type: AlertType,
    user: Sender,
    summary: string,
    details: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    await this.#d.raiseAlert({ type, userId: user.id, userEmail: user.email, summary, details });
  }
}

interface Refused {
  readonly refused: Decision;
}

interface SenderPlan {
  readonly snapshot: Snapshot;
  readonly now: Date;
  readonly throttle: LimitCheck;
  readonly checks: readonly WindowCheck[];
}

/** The alert gate of the suspicious-sending pattern (counterKeys.alertGate). */
const SUSPICIOUS_GATE = 'suspicious';

interface RecipientPlan {
  readonly policy: OutboundPolicy;
  readonly limits: readonly LimitCheck[];
  readonly now: Date;
  readonly checks: readonly WindowCheck[];
}

function senderVerdict(plan: SenderPlan, result: WindowResult): Decision {
  if (result.allowed) return ACCEPT;
  const over = findBreach([plan.throttle], result);
  return refuse('defer', 'RATE_LIMITED', over?.summary ?? 'Too many messages in the last minute.');
}

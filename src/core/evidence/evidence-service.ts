import type { Clock } from '../../ports/clock.js';
import type { ContentLearner, EvidenceRange, EvidenceVault, KeptMessage } from '../../ports/evidence-vault.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { resolveUser } from '../directory/resolve-user.js';
import type { User } from '../directory/user.js';
import { DomainError } from '../errors.js';
import type { Restriction } from '../restrictions/restriction.js';
import type { Principal } from '../roles/principal.js';
import { can, type Action } from '../roles/roles.js';
import type { ScannerVerdictRecord } from '../sending/message-record.js';
import {
  EVIDENCE_MAX_BYTES,
  EVIDENCE_PER_RESTRICTION,
  EVIDENCE_RECIPIENTS_SHOWN,
  type EvidenceKind,
  type EvidenceRecord,
  type LearnOutcome,
  type UnblockVerdict,
} from './evidence.js';

/** The permission that reads kept messages: whoever may unblock (the flyout's "Review recent messages"). */
export const EVIDENCE_PERMISSION: Action = 'restricted.unblock';

/** What the gateway hands over for one refused message (the core decides whether it is kept). */
export interface EvidenceCandidate {
  readonly id: string;
  readonly userId: string;
  /** What the submission guard said it counted as (MessageDecision.evidence); undefined: not evidence, not kept. */
  readonly evidence: EvidenceKind | undefined;
  readonly reason: string;
  readonly subject: string | null;
  readonly recipients: readonly string[];
  readonly spamScore: number;
  readonly spamBy: readonly string[];
  readonly scanner: ScannerVerdictRecord | null;
  readonly raw: Uint8Array;
}

/** EvidenceService's ports, one by one. */
export interface EvidenceDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly vault: EvidenceVault;
  /** Rspamd's controller; undefined when none is configured (learning is then `not-configured`). */
  readonly learner?: ContentLearner | undefined;
  /** RestrictionService.unblock, which checks permission, confirmation and cap and audits the unblock. */
  readonly unblock: (
    p: Principal,
    idOrEmail: string,
    input: { confirm: boolean; stepsDone?: readonly string[] | undefined; verdict?: UnblockVerdict | undefined },
  ) => Promise<Restriction>;
}

/** One restriction's kept messages, newest first. */
export interface RestrictionEvidenceList {
  readonly user: User;
  readonly restriction: Restriction;
  readonly items: readonly EvidenceRecord[];
}

/**
 * The messages that counted as evidence for a restriction (issue 15): which are kept (spam verdicts
 * and refused Send As, at most EVIDENCE_PER_RESTRICTION, the first EVIDENCE_MAX_BYTES of each), who
 * may read them (EVIDENCE_PERMISSION; a refusal is audited), every view audited, and learning from
 * the admin's verdict at unblock (false positive: ham; confirmed hijack: spam).
 */
export class EvidenceService {
  readonly #d: EvidenceDeps;

  constructor(deps: EvidenceDeps) {
    this.#d = deps;
  }

  /** Keeps a refused message when it counted as evidence; true when kept. Trims the user's current set to the bound. */
  async keep(c: EvidenceCandidate): Promise<boolean> {
    const kind = c.evidence;
    if (kind === undefined) return false;
    const now = this.#d.clock.now();
    const truncated = c.raw.byteLength > EVIDENCE_MAX_BYTES;
    const message: KeptMessage = {
      record: {
        id: c.id,
        userId: c.userId,
        at: now,
        kind,
        subject: c.subject,
        recipients: c.recipients.slice(0, EVIDENCE_RECIPIENTS_SHOWN),
        recipientCount: c.recipients.length,
        spamScore: c.spamScore,
        spamBy: [...c.spamBy],
        scanner: c.scanner,
        reason: c.reason,
        size: c.raw.byteLength,
        truncated,
      },
      raw: truncated ? c.raw.subarray(0, EVIDENCE_MAX_BYTES) : c.raw,
    };
    await this.#d.vault.put(message);
    const history = await this.#d.uow.run((s) => s.restrictions.listByUser(c.userId));
    await this.#d.vault.trim(c.userId, lastReleaseBefore(history, now), EVIDENCE_PER_RESTRICTION);
    return true;
  }

  /** The kept messages of the user's newest restriction. FORBIDDEN (audited) without EVIDENCE_PERMISSION. */
  async list(p: Principal, idOrEmail: string): Promise<RestrictionEvidenceList> {
    await this.#authorize(p, `evidence:${idOrEmail}`);
    const { user, restriction, range } = await this.#newest(idOrEmail);
    const items = await this.#d.vault.list(user.id, range, EVIDENCE_PER_RESTRICTION);
    return { user, restriction, items };
  }

  /** One kept message with its bytes; the view is audited. FORBIDDEN (audited) without EVIDENCE_PERMISSION. */
  async open(p: Principal, idOrEmail: string, messageId: string): Promise<KeptMessage> {
    await this.#authorize(p, `evidence:${idOrEmail}/${messageId}`);
    const user = await this.#d.uow.run((s) => resolveUser(s.users, idOrEmail));
    const found = await this.#d.vault.read(user.id, messageId);
    if (!found) throw new DomainError('NOT_FOUND', `No message "${messageId}" is kept as evidence for ${user.email}.`);
    await this.#d.uow.run((s) =>
      recordAudit(s, this.#d.clock.now(), p.actor, 'evidence.viewed', `user:${user.email}`, undefined, {
        messageId,
        subjectShown: found.record.subject !== null,
        truncated: found.record.truncated,
      }),
    );
    return found;
  }

  /**
   * Unblocks (RestrictionService.unblock: permission, confirmation, cap, audit), then, with a verdict,
   * teaches the scanner from the restriction's kept messages. Learning happens after the commit: its
   * failure never undoes the unblock, and the outcome says what happened (audited as evidence.learned).
   */
  async unblock(
    p: Principal,
    idOrEmail: string,
    input: { confirm: boolean; stepsDone?: readonly string[] | undefined; verdict?: UnblockVerdict | undefined },
  ): Promise<{ restriction: Restriction; learning: LearnOutcome }> {
    const restriction = await this.#d.unblock(p, idOrEmail, input);
    if (input.verdict === undefined) {
      return { restriction, learning: { state: 'none', kind: null, messages: 0, learned: 0, detail: null } };
    }
    const learning = await this.#learn(restriction, input.verdict);
    await this.#d.uow.run(async (s) => {
      const u = await resolveUser(s.users, restriction.userId);
      await recordAudit(s, this.#d.clock.now(), p.actor, 'evidence.learned', `user:${u.email}`, undefined, {
        restrictionId: restriction.id,
        verdict: input.verdict,
        ...learning,
      });
    });
    return { restriction, learning };
  }

  /** Deletes kept messages older than `before` (with the message-log retention); returns how many. */
  prune(before: Date): Promise<number> {
    return this.#d.vault.prune(before);
  }

  async #learn(restriction: Restriction, verdict: UnblockVerdict): Promise<LearnOutcome> {
    const kind = verdict === 'false-positive' ? 'ham' : 'spam';
    const learner = this.#d.learner;
    if (learner === undefined) {
      return {
        state: 'not-configured',
        kind,
        messages: 0,
        learned: 0,
        detail: 'No Rspamd controller is configured (SENDWARDEN_RSPAMD_CONTROLLER_URL).',
      };
    }
    const history = await this.#d.uow.run((s) => s.restrictions.listByUser(restriction.userId));
    const items = await this.#d.vault.list(restriction.userId, rangeOf(restriction, history), EVIDENCE_PER_RESTRICTION);
    if (items.length === 0) return { state: 'nothing-kept', kind, messages: 0, learned: 0, detail: null };
    let learned = 0;
    let detail: string | null = null;
    for (const item of items) {
      const kept = await this.#d.vault.read(restriction.userId, item.id);
      if (!kept) continue;
      try {
        detail = await learner.learn(kind, kept.raw);
        learned++;
      } catch (err) {
        // One failure (Rspamd away or slow) ends the run: the next message would wait just as long.
        const reason = err instanceof Error ? err.message : String(err);
        return { state: 'failed', kind, messages: items.length, learned, detail: reason };
      }
    }
    return { state: 'learned', kind, messages: items.length, learned, detail };
  }

  async #newest(idOrEmail: string): Promise<{ user: User; restriction: Restriction; range: EvidenceRange }> {
    return this.#d.uow.run(async (s) => {
      const user = await resolveUser(s.users, idOrEmail);
      const history = await s.restrictions.listByUser(user.id);
      const restriction = history[0];
      if (restriction === undefined) {
        throw new DomainError('NOT_RESTRICTED', `${user.email} has never been restricted from sending.`);
      }
      return { user, restriction, range: rangeOf(restriction, history) };
    });
  }

  async #authorize(p: Principal, target: string): Promise<void> {
    if (can({ actorRoles: p.roles, action: EVIDENCE_PERMISSION })) return;
    await this.#d.uow.run((s) =>
      recordAudit(s, this.#d.clock.now(), p.actor, 'access.denied', target, undefined, {
        permission: EVIDENCE_PERMISSION,
      }),
    );
    throw new DomainError('FORBIDDEN', `Your role lacks the permission "${EVIDENCE_PERMISSION}".`, {
      // `audited`: the HTTP edge must not record the refusal a second time.
      details: { permission: EVIDENCE_PERMISSION, audited: true },
    });
  }
}

/** Messages kept after the previous restriction ended and before this one was released. */
function rangeOf(r: Restriction, history: readonly Restriction[]): EvidenceRange {
  const others = history.filter((x) => x.id !== r.id);
  return { after: lastReleaseBefore(others, r.restrictedAt), until: r.releasedAt };
}

/** The newest release at or before `at` among the user's restrictions (null: none). */
function lastReleaseBefore(history: readonly Restriction[], at: Date): Date | null {
  let last: Date | null = null;
  for (const r of history) {
    if (r.releasedAt === null || r.releasedAt.getTime() > at.getTime()) continue;
    if (last === null || r.releasedAt.getTime() > last.getTime()) last = r.releasedAt;
  }
  return last;
}

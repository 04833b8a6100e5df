import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { Stores, UnitOfWork } from '../../ports/stores.js';
import type { AlertInput, RaiseAlert } from '../alerts/alert-service.js';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit-event.js';
import { recordAudit } from '../audit/record.js';
import { resolveUser } from '../directory/resolve-user.js';
import type { User } from '../directory/user.js';
import { DomainError } from '../errors.js';
import type { UnblockVerdict } from '../evidence/evidence.js';
import type { OutboundPolicy } from '../policy/outbound-policy.js';
import type { Principal } from '../roles/principal.js';
import { authorize } from '../roles/roles.js';
import {
  isActive,
  nextUtcMidnight,
  type Restriction,
  type RestrictionEvidence,
  type RestrictionKind,
  type UnblockStep,
  UNBLOCK_STEPS,
} from './restriction.js';

/** What RestrictionService needs, one by one. */
export interface RestrictionDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly random: Random;
  /** Writes an alert; given the transaction, it commits with the unblock or release that raised it. */
  readonly raiseAlert: RaiseAlert;
  /** Forgets the user's sending windows, so the very next message after an unblock goes through. */
  readonly resetCounters: (userId: string) => Promise<void>;
  /** The outbound policy that applies to the user (for the unblock cap). */
  readonly policyFor: (stores: Stores, user: User) => Promise<OutboundPolicy>;
  /** Told of every new restriction (metrics); optional. */
  readonly onRestricted?: ((r: Restriction) => void) | undefined;
}

/** What the Restricted users detail shows. */
export interface RestrictedUserDetail {
  readonly user: User;
  readonly restriction: Restriction;
  readonly history: readonly Restriction[];
  readonly unblocksLeft: number;
  readonly unblockCap: number;
  readonly unblockWindowDays: number;
}

/** Restrict, release and unblock senders: the life cycle of a restriction, audited. */
export class RestrictionService {
  readonly #d: RestrictionDeps;

  constructor(deps: RestrictionDeps) {
    this.#d = deps;
  }

  /** Restricts the user (idempotent: an active restriction is returned as it is). */
  async restrictUser(input: {
    userId: string;
    kind: RestrictionKind;
    evidence: RestrictionEvidence;
    actor?: Actor | undefined;
    /** The alerts a new restriction raises; written in its transaction, so they commit with it. */
    alerts?: ((restriction: Restriction, user: User) => readonly AlertInput[]) | undefined;
  }): Promise<Restriction> {
    const now = this.#d.clock.now();
    const { restriction, created } = await this.#d.uow.run(async (s) => {
      const open = await s.restrictions.findOpenByUser(input.userId);
      if (open && isActive(open, now)) return { restriction: open, created: false };
      if (open) await this.#release(s, open, now);
      const user = await resolveUser(s.users, input.userId);
      const r: Restriction = {
        id: this.#d.random.uuid(),
        userId: user.id,
        kind: input.kind,
        evidence: input.evidence,
        restrictedAt: now,
        releaseAt: input.kind === 'until-tomorrow' ? nextUtcMidnight(now) : null,
        releasedAt: null,
        releasedBy: null,
        releaseKind: null,
        stepsDone: [],
      };
      await s.restrictions.insert(r);
      await recordAudit(s, now, input.actor ?? SYSTEM_ACTOR, 'restriction.created', `user:${user.email}`, undefined, {
        kind: r.kind,
        rule: r.evidence.rule,
        summary: r.evidence.summary,
        releaseAt: r.releaseAt?.toISOString() ?? null,
      });
      for (const alert of input.alerts?.(r, user) ?? []) await this.#d.raiseAlert(alert, s);
      return { restriction: r, created: true };
    });
    if (created) this.#d.onRestricted?.(restriction);
    return restriction;
  }

  /** The restriction that stops the user now, if any; a due until-tomorrow restriction is released on the way. */
  async activeRestriction(userId: string): Promise<Restriction | undefined> {
    const now = this.#d.clock.now();
    const open = await this.#d.uow.run((s) => s.restrictions.findOpenByUser(userId));
    if (!open) return undefined;
    if (isActive(open, now)) return open;
    await this.releaseDue();
    return undefined;
  }

  /** restricted.read: open restrictions, filtered by a search text ("rob" finds rob@contoso.com). */
  async listRestricted(p: Principal, search?: string): Promise<readonly { restriction: Restriction; user: User }[]> {
    authorize({ actorRoles: p.roles, action: 'restricted.read' });
    const now = this.#d.clock.now();
    const rows = await this.#d.uow.run((s) => s.restrictions.listOpen(search));
    return rows.filter((r) => isActive(r.restriction, now));
  }

  /** restricted.read: one restricted user with evidence, history and the unblocks left under the cap. */
  async getRestricted(p: Principal, idOrEmail: string): Promise<RestrictedUserDetail> {
    authorize({ actorRoles: p.roles, action: 'restricted.read' });
    const now = this.#d.clock.now();
    return this.#d.uow.run(async (s) => {
      const user = await resolveUser(s.users, idOrEmail);
      const open = await s.restrictions.findOpenByUser(user.id);
      if (!open || !isActive(open, now)) throw notRestricted(user);
      const policy = await this.#d.policyFor(s, user);
      const used = await s.restrictions.countUnblocksSince(user.id, daysBefore(now, policy.unblockWindowDays));
      return {
        user,
        restriction: open,
        history: await s.restrictions.listByUser(user.id),
        unblocksLeft: Math.max(0, policy.unblockCap - used),
        unblockCap: policy.unblockCap,
        unblockWindowDays: policy.unblockWindowDays,
      };
    });
  }

  /**
   * restricted.unblock: needs { confirm: true }; takes effect at once on every node (the store is the
   * truth, and counters are reset so the next message is not refused by the old window).
   */
  async unblock(
    p: Principal,
    idOrEmail: string,
    input: { confirm: boolean; stepsDone?: readonly string[] | undefined; verdict?: UnblockVerdict | undefined },
  ): Promise<Restriction> {
    authorize({ actorRoles: p.roles, action: 'restricted.unblock' });
    if (input.confirm !== true) {
      throw new DomainError(
        'CONFIRMATION_REQUIRED',
        'Unblocking lets this user send mail again at once. Confirm it: send {"confirm": true} (CLI: --yes).',
      );
    }
    const steps = (input.stepsDone ?? []).filter((x): x is UnblockStep =>
      (UNBLOCK_STEPS as readonly string[]).includes(x),
    );
    const now = this.#d.clock.now();
    const released = await this.#d.uow.run(async (s) => {
      const user = await resolveUser(s.users, idOrEmail);
      const open = await s.restrictions.findOpenByUser(user.id);
      if (!open || !isActive(open, now)) throw notRestricted(user);
      const policy = await this.#d.policyFor(s, user);
      const used = await s.restrictions.countUnblocksSince(user.id, daysBefore(now, policy.unblockWindowDays));
      if (used >= policy.unblockCap) {
        throw new DomainError(
          'UNBLOCK_LIMIT_REACHED',
          `${user.email} was already unblocked ${used} times in the last ${policy.unblockWindowDays} days (the cap is ${policy.unblockCap}). A global admin can raise the cap in the outbound spam policy.`,
          { details: { used, cap: policy.unblockCap, windowDays: policy.unblockWindowDays } },
        );
      }
      const r: Restriction = {
        ...open,
        releasedAt: now,
        releasedBy: p.actor.id,
        releaseKind: 'unblock',
        stepsDone: steps,
      };
      await s.restrictions.update(r);
      // "Require two-step sign-in": the next portal sign-in must enrol an authenticator app, with no
      // postponing, so whoever only knows the password cannot mint app passwords there.
      if (steps.includes('require-totp') && user.totpSecret === null) {
        await s.users.update({ ...user, totpDeadline: now });
      }
      await recordAudit(
        s,
        now,
        p.actor,
        'restriction.unblocked',
        `user:${user.email}`,
        { restricted: true, kind: open.kind },
        { restricted: false, stepsDone: steps, ...(input.verdict ? { verdict: input.verdict } : {}) },
      );
      await this.#d.raiseAlert(
        {
          type: 'user-unblocked',
          userId: user.id,
          userEmail: user.email,
          summary: `${user.email} was unblocked by ${p.actor.label} and can send again.`,
          details: { stepsDone: steps },
        },
        s,
      );
      return { r, user };
    });
    await this.#d.resetCounters(released.user.id);
    return released.r;
  }

  /** Releases every until-tomorrow restriction whose time has come; returns how many. */
  async releaseDue(): Promise<number> {
    const now = this.#d.clock.now();
    const released = await this.#d.uow.run(async (s) => {
      const due = await s.restrictions.listDue(now);
      const users: User[] = [];
      for (const r of due) {
        const user = await this.#release(s, r, now);
        await this.#d.raiseAlert(
          {
            type: 'restriction-released',
            userId: user.id,
            userEmail: user.email,
            summary: `The restriction of ${user.email} ended automatically at UTC midnight.`,
          },
          s,
        );
        users.push(user);
      }
      return users;
    });
    for (const user of released) await this.#d.resetCounters(user.id);
    return released.length;
  }

  async #release(s: Stores, r: Restriction, now: Date): Promise<User> {
    const user = await resolveUser(s.users, r.userId);
    await s.restrictions.update({ ...r, releasedAt: r.releaseAt ?? now, releasedBy: 'system', releaseKind: 'auto' });
    await recordAudit(
      s,
      now,
      SYSTEM_ACTOR,
      'restriction.released',
      `user:${user.email}`,
      { restricted: true },
      { restricted: false, releasedAt: (r.releaseAt ?? now).toISOString() },
    );
    return user;
  }
}

function notRestricted(user: User): DomainError {
  return new DomainError('NOT_RESTRICTED', `${user.email} is not restricted from sending.`);
}

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

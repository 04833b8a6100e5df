import type { AlertDeliveryState } from '../../core/alerts/alert-delivery.js';
import type { Alert } from '../../core/alerts/alert.js';
import type { AuditEntry } from '../../core/audit/audit-event.js';
import type { ApiToken, Session } from '../../core/auth/credentials.js';
import type { User } from '../../core/directory/user.js';
import type { OutboundPolicy } from '../../core/policy/outbound-policy.js';
import type { Restriction } from '../../core/restrictions/restriction.js';
import type { MessageRecord } from '../../core/sending/message-record.js';
import type { EvidenceRecord } from '../../core/evidence/evidence.js';
import type {
  EvidenceMessageDto,
  MessageDto,
  OutboxItemDto,
  RestrictedUserDto,
  RestrictionDto,
  UserDto,
} from '../shared/api-schemas.js';
import type { AlertDto, ApiTokenDto, AuditEntryDto, PolicyDto } from '../shared/api-schemas-admin.js';
import type { SessionDto } from '../shared/api-schemas-session.js';
import { evidenceFigures } from '../shared/evidence-figures.js';
import type { OutboxEntry } from '../../ports/relay.js';

// Core objects to DTOs. Each function lists the fields it copies, so a secret added to a core
// type later never leaks by accident.

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The later of both lockout counters' ends, when still in the future at `now`. */
export function lockedUntilOf(user: User, now: Date): Date | null {
  const ends = [user.lockout.familiar.lockedUntil, user.lockout.unfamiliar.lockedUntil].filter(
    (d): d is Date => d !== null && d.getTime() > now.getTime(),
  );
  return ends.length === 0 ? null : new Date(Math.max(...ends.map((d) => d.getTime())));
}

export function toUserDto(user: User, now: Date, isRestricted: boolean): UserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    aliases: [...user.aliases],
    groups: [...user.groups],
    roles: [...user.roles],
    signInBlocked: user.signInBlocked,
    lockedUntil: isoOrNull(lockedUntilOf(user, now)),
    isRestricted,
    mustChangePassword: user.mustChangePassword,
    alternateEmail: user.alternateEmail,
    language: user.language ?? null,
    timeZone: user.timeZone ?? null,
    totpEnrolled: user.totpSecret !== null,
    createdAt: iso(user.createdAt),
    lastSignInAt: isoOrNull(user.lastSignInAt),
  };
}

export function toRestrictionDto(r: Restriction): RestrictionDto {
  return {
    id: r.id,
    userId: r.userId,
    kind: r.kind,
    evidence: {
      rule: r.evidence.rule,
      summary: r.evidence.summary,
      counts: { ...r.evidence.counts },
      ...(r.evidence.limit === undefined ? {} : { limit: r.evidence.limit }),
      ...(r.evidence.verdicts === undefined
        ? {}
        : {
            verdicts: r.evidence.verdicts.map(({ by, symbols, ...v }) => ({
              ...v,
              ...(by === undefined ? {} : { by: [...by] }),
              ...(symbols === undefined ? {} : { symbols: [...symbols] }),
            })),
          }),
    },
    restrictedAt: iso(r.restrictedAt),
    releaseAt: isoOrNull(r.releaseAt),
    releasedAt: isoOrNull(r.releasedAt),
    releasedBy: r.releasedBy,
    releaseKind: r.releaseKind,
    stepsDone: [...r.stepsDone],
  };
}

export function toRestrictedUserDto(r: Restriction, user: User): RestrictedUserDto {
  return {
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
    reason: r.evidence.summary,
    rule: r.evidence.rule,
    ...evidenceFigures(r.evidence),
    restrictedAt: iso(r.restrictedAt),
    releaseAt: isoOrNull(r.releaseAt),
    kind: r.kind,
  };
}

export function toMessageDto(m: MessageRecord): MessageDto {
  return {
    id: m.id,
    at: iso(m.at),
    userId: m.userId,
    sender: m.sender,
    recipientsInternal: m.recipientsInternal,
    recipientsExternal: m.recipientsExternal,
    recipientsRefused: m.recipientsRefused,
    size: m.size,
    subject: m.subject,
    recipients: [...(m.recipients ?? [])],
    spamScore: m.spamScore,
    isSpam: m.isSpam,
    outcome: m.outcome,
    reasonCode: m.reasonCode,
    reason: m.reason,
    nextHopReply: m.nextHopReply,
    clientAddress: m.clientAddress,
    scanner: m.scanner ? { ...m.scanner, symbols: [...m.scanner.symbols] } : null,
    spamBy: [...(m.spamBy ?? [])],
  };
}

export function toPolicyDto(p: OutboundPolicy): PolicyDto {
  return {
    id: p.id,
    name: p.name,
    isDefault: p.isDefault,
    priority: p.priority,
    scope: { users: [...p.scope.users], groups: [...p.scope.groups], domains: [...p.scope.domains] },
    limits: { ...p.limits },
    action: p.action,
    spamVerdictsToRestrict: p.spamVerdictsToRestrict,
    spamWindowMinutes: p.spamWindowMinutes,
    spamScoreThreshold: p.spamScoreThreshold,
    unblockCap: p.unblockCap,
    unblockWindowDays: p.unblockWindowDays,
    autoForwarding: p.autoForwarding,
    updatedAt: iso(p.updatedAt),
  };
}

export function toAlertDto(a: Alert & { readonly deliveries?: readonly AlertDeliveryState[] }): AlertDto {
  return {
    id: a.id,
    type: a.type,
    severity: a.severity,
    title: a.title,
    userId: a.userId,
    userEmail: a.userEmail,
    summary: a.summary,
    details: { ...a.details },
    createdAt: iso(a.createdAt),
    resolvedAt: isoOrNull(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    ...(a.deliveries && {
      deliveries: a.deliveries.map((d) => ({ ...d, sentAt: isoOrNull(d.sentAt) })),
    }),
  };
}

export function toAuditEntryDto(e: AuditEntry): AuditEntryDto {
  return {
    seq: e.seq,
    at: iso(e.at),
    actor: {
      kind: e.actor.kind,
      id: e.actor.id,
      label: e.actor.label,
      ...(e.actor.address ? { address: e.actor.address } : {}),
    },
    action: e.action,
    target: e.target,
    before: e.before ? { ...e.before } : null,
    after: e.after ? { ...e.after } : null,
    prevHash: e.prevHash,
    hash: e.hash,
    keyId: e.keyId ?? null,
  };
}

export function toApiTokenDto(t: ApiToken): ApiTokenDto {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    createdAt: iso(t.createdAt),
    expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
    createdBy: t.createdBy,
  };
}

export function toSessionDto(s: Session, currentId: string | null): SessionDto {
  return {
    id: s.id,
    createdAt: iso(s.createdAt),
    lastSeenAt: iso(s.lastSeenAt),
    expiresAt: iso(s.expiresAt),
    mfaDone: s.mfaDone,
    address: s.address,
    userAgent: s.userAgent,
    isCurrent: s.id === currentId,
  };
}

export function toOutboxItemDto(o: OutboxEntry): OutboxItemDto {
  return {
    id: o.id,
    at: iso(o.at),
    from: o.from,
    to: [...o.to],
    size: o.size,
    subject: o.subject,
    holdsSecret: o.holdsSecret === true,
  };
}

export function toEvidenceDto(r: EvidenceRecord): EvidenceMessageDto {
  return {
    id: r.id,
    at: iso(r.at),
    kind: r.kind,
    subject: r.subject,
    recipients: [...r.recipients],
    recipientCount: r.recipientCount,
    spamScore: r.spamScore,
    spamBy: [...r.spamBy],
    scanner: r.scanner ? { ...r.scanner, symbols: [...r.scanner.symbols] } : null,
    reason: r.reason,
    size: r.size,
    truncated: r.truncated,
  };
}

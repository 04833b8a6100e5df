import type { FastifyInstance } from 'fastify';
import {
  EvidenceListDto,
  EvidenceOpenDto,
  EvidenceParams,
  IdParams,
  RestrictedListDto,
  RestrictionDetailDto,
  SearchQuery,
  UnblockReply,
  UnblockRequest,
} from '../../shared/api-schemas.js';
import { toEvidenceDto, toMessageDto, toRestrictedUserDto, toRestrictionDto, toUserDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

/** Review > Restricted users: list, the Unblock flyout's evidence, and Unblock. */
export function registerRestrictedRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/restricted-users',
    tag: 'restricted-users',
    summary: 'Restricted users, newest first; search by email, name or alias',
    auth: 'principal',
    query: SearchQuery,
    reply: RestrictedListDto,
    handler: async (ctx) => {
      const rows = await deps.restrictions.listRestricted(ctx.principal(), ctx.query.search);
      return { items: rows.map((r) => toRestrictedUserDto(r.restriction, r.user)), total: rows.length };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/restricted-users/:id',
    tag: 'restricted-users',
    summary: 'Why a user is restricted: evidence, history, unblocks left, recent messages',
    auth: 'principal',
    params: IdParams,
    reply: RestrictionDetailDto,
    handler: async (ctx) => {
      const p = ctx.principal();
      const d = await deps.restrictions.getRestricted(p, ctx.params.id);
      const recent = await deps.messageReader.recentEvidence(p, d.user.id, 20);
      return {
        ...toRestrictedUserDto(d.restriction, d.user),
        restrictionId: d.restriction.id,
        user: toUserDto(d.user, deps.clock.now(), true),
        evidence: toRestrictionDto(d.restriction).evidence,
        history: d.history.map(toRestrictionDto),
        unblocksLeft: d.unblocksLeft,
        unblockCap: d.unblockCap,
        unblockWindowDays: d.unblockWindowDays,
        recentMessages: recent.map(toMessageDto),
      };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/restricted-users/:id/unblock',
    tag: 'restricted-users',
    summary:
      'Unblock: the user can send again at once. Needs { "confirm": true }; stepsDone records the recommended steps done first; verdict (false-positive | confirmed-hijack) teaches Rspamd from the kept messages, and learning says what happened (its failure never undoes the unblock)',
    auth: 'principal',
    params: IdParams,
    body: UnblockRequest,
    reply: UnblockReply,
    handler: async (ctx) => {
      const { restriction, learning } = await deps.evidence.unblock(ctx.principal(), ctx.params.id, {
        confirm: ctx.body.confirm === true,
        stepsDone: ctx.body.stepsDone,
        verdict: ctx.body.verdict,
      });
      deps.metrics.unblocks.inc();
      return { ...toRestrictionDto(restriction), learning };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/restricted-users/:id/evidence',
    tag: 'restricted-users',
    summary:
      "The messages kept as evidence for the user's newest restriction (at most 20, newest first): subject, recipients, verdict, score. Needs restricted.unblock",
    auth: 'principal',
    params: IdParams,
    reply: EvidenceListDto,
    handler: async (ctx) => {
      const list = await deps.evidence.list(ctx.principal(), ctx.params.id);
      return { restrictionId: list.restriction.id, items: list.items.map(toEvidenceDto), total: list.items.length };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/restricted-users/:id/evidence/:messageId',
    tag: 'restricted-users',
    summary: 'One kept message as text (at most its first 1 MB); every view is audited. Needs restricted.unblock',
    auth: 'principal',
    params: EvidenceParams,
    reply: EvidenceOpenDto,
    handler: async (ctx) => {
      const kept = await deps.evidence.open(ctx.principal(), ctx.params.id, ctx.params.messageId);
      return { ...toEvidenceDto(kept.record), text: Buffer.from(kept.raw).toString('utf8') };
    },
  });
}

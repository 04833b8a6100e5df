import type { FastifyInstance } from 'fastify';
import type { WhatIfEvent } from '../../../core/what-if/user-replay.js';
import type { WhatIfReport } from '../../../core/what-if/what-if-report.js';
import { IdParams } from '../../shared/api-schemas.js';
import {
  CustomWhatIfRequest,
  WhatIfRequest,
  WhatIfReportDto,
  type WhatIfEventDto,
} from '../../shared/api-schemas-what-if.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const eventDto = (e: WhatIfEvent): WhatIfEventDto => ({ ...e, at: e.at.toISOString() });

/** The report as JSON: dates as ISO strings, nothing else changed. */
export function toWhatIfDto(r: WhatIfReport): WhatIfReportDto {
  return {
    ...r,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    users: r.users.map((u) => ({
      ...u,
      firstRestriction: u.firstRestriction === null ? null : eventDto(u.firstRestriction),
      firstDeferredAt: iso(u.firstDeferredAt),
      firstAlertedAt: iso(u.firstAlertedAt),
      actualRestrictedAt: iso(u.actualRestrictedAt),
      timeline: u.timeline.map(eventDto),
    })),
  };
}

const DESCRIPTION =
  'Replays the message log of the last `days` (default 7, at most the log retention) through the proposed ' +
  'settings with the live engine’s windows, user by user; nothing is saved, and the what-if is audited as a ' +
  'read (policy.what-if). A proposal that saving would refuse gets the same error.';

/** What-if (issue 17): preview a policy change against the real message log before saving it. */
export function registerWhatIfRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/policies/outbound-spam/what-if',
    tag: 'policies',
    summary: 'What-if: who the default policy with these settings would have restricted, deferred or alerted',
    description: DESCRIPTION,
    auth: 'principal',
    body: WhatIfRequest,
    reply: WhatIfReportDto,
    handler: async (ctx) => {
      const { days, maxUsers, ...patch } = ctx.body;
      return toWhatIfDto(await deps.whatIf.previewDefault(ctx.principal(), patch, { days, maxUsers }));
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/policies/outbound-spam/custom/:id/what-if',
    tag: 'policies',
    summary: 'What-if for a custom policy with these settings (scope and priority too)',
    description: DESCRIPTION,
    auth: 'principal',
    params: IdParams,
    body: CustomWhatIfRequest,
    reply: WhatIfReportDto,
    handler: async (ctx) => {
      const { days, maxUsers, ...patch } = ctx.body;
      return toWhatIfDto(await deps.whatIf.previewCustom(ctx.principal(), ctx.params.id, patch, { days, maxUsers }));
    },
  });
}

import { z } from 'zod';
import { MAX_LISTED_USERS } from '../../core/what-if/policy-what-if.js';
import { IsoDate } from './api-schemas.js';
import { PolicyUpdateRequest } from './api-schemas-admin.js';
import { CustomPolicyUpdateRequest } from './api-schemas-accounts.js';

/** The range of a what-if, next to the proposed settings (the core checks days against the retention). */
const WhatIfRange = {
  days: z.number().int().min(1).max(3650).optional(),
  maxUsers: z.number().int().min(1).max(MAX_LISTED_USERS).optional(),
};

/** POST /policies/outbound-spam/what-if: the same fields as PUT /policies/outbound-spam, plus the range. */
export const WhatIfRequest = PolicyUpdateRequest.extend(WhatIfRange);
export type WhatIfRequest = z.infer<typeof WhatIfRequest>;

/** POST /policies/outbound-spam/custom/{id}/what-if: the same fields as PUT .../custom/{id}, plus the range. */
export const CustomWhatIfRequest = CustomPolicyUpdateRequest.extend(WhatIfRange);
export type CustomWhatIfRequest = z.infer<typeof CustomWhatIfRequest>;

export const WhatIfEventDto = z.object({
  at: IsoDate,
  kind: z.enum(['restricted', 'released', 'deferred', 'alerted', 'spam-refused']),
  rule: z.string(),
  count: z.number().int(),
  limit: z.number(),
  summary: z.string(),
});
export type WhatIfEventDto = z.infer<typeof WhatIfEventDto>;

export const WhatIfUserDto = z.object({
  userId: z.string(),
  email: z.string(),
  isDeleted: z.boolean(),
  policyName: z.string(),
  change: z.enum(['new', 'no-longer', 'still', 'none']),
  messages: z.number().int(),
  messagesRefused: z.number().int(),
  recipientsRefused: z.number().int(),
  restrictions: z.number().int(),
  firstRestriction: WhatIfEventDto.nullable(),
  firstDeferredAt: IsoDate.nullable(),
  firstAlertedAt: IsoDate.nullable(),
  timeline: z.array(WhatIfEventDto),
  omittedEvents: z.number().int(),
  actualRestrictedAt: IsoDate.nullable(),
  actualRule: z.string().nullable(),
  actualRestrictions: z.number().int(),
  actualMessagesRefused: z.number().int(),
  actualRecipientsRefused: z.number().int(),
});
export type WhatIfUserDto = z.infer<typeof WhatIfUserDto>;

const count = z.number().int();

/** The answer: nothing was stored. `isTruncated` says when `users` lists fewer than `usersAffected`. */
export const WhatIfReportDto = z.object({
  policy: z.object({ id: z.string(), name: z.string(), isDefault: z.boolean() }),
  since: IsoDate,
  until: IsoDate,
  days: count,
  retentionDays: count,
  rowsReplayed: count,
  usersSeen: count,
  usersAffected: count,
  users: z.array(WhatIfUserDto),
  isTruncated: z.boolean(),
  totals: z.object({
    restricted: count,
    newRestrictions: count,
    noLongerRestricted: count,
    stillRestricted: count,
    deferred: count,
    alerted: count,
    messagesRefused: count,
    recipientsRefused: count,
    actualRestricted: count,
    actualMessagesRefused: count,
    actualRecipientsRefused: count,
  }),
  caveats: z.object({ guessedKindRows: count, unknownRecipientRows: count, deletedUsers: count }),
  isEmpty: z.boolean(),
});
export type WhatIfReportDto = z.infer<typeof WhatIfReportDto>;

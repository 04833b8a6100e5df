import type { ErrorCode } from '../errors.js';

/**
 * What the policy decides about a sender, a recipient or a message. Expected outcomes are
 * values, not exceptions; the SMTP gateway and the Postfix policy service map the same
 * Decision (through their one code map each), so they cannot drift apart.
 * - accept: go on.
 * - defer: temporary refusal (4xx): try again later.
 * - reject: permanent refusal (5xx) of this recipient or message.
 * - restrict: the user was restricted just now; this and every later recipient is refused.
 */
export type Decision =
  | {
      readonly kind: 'accept';
      readonly reason?: string | undefined;
      /** When a recipient was counted (the time to give it back at, see SubmissionGuard.releaseRecipient). */
      readonly countedAt?: Date | undefined;
    }
  | {
      readonly kind: 'defer' | 'reject' | 'restrict';
      readonly code: ErrorCode;
      /** A sentence a person can read, e.g. "6 external recipients in the last hour; limit 5". */
      readonly reason: string;
    };

/** The one accept Decision (frozen): the command may go on. */
export const ACCEPT: Decision = Object.freeze({ kind: 'accept' });

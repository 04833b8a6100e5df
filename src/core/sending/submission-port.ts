import type { User } from '../directory/user.js';
import type { MessageFacts, ScanResult } from '../../ports/content-scorer.js';
import type { Decision } from './decision.js';

/** One message transaction of an authenticated user, as the gateway tracks it. */
export interface Envelope {
  readonly user: User;
  readonly clientAddress: string | null;
  readonly mailFrom: string;
  /** Recipients accepted so far in this transaction (normalised). */
  readonly accepted: readonly string[];
}

/** What the gateway adds to a message's facts: the external scanner's result and the message id. */
export interface MessageExtra {
  /** The external scanner's (Rspamd's) result; absent when none is configured. */
  readonly scan?: ScanResult | undefined;
  /** The gateway's id of the message (the `queued as` id), kept in the restriction's evidence. */
  readonly messageId?: string | undefined;
}

/**
 * The policy engine as the submission gateway (and later the Postfix policy service) sees it.
 * Each call re-reads restriction state, so an unblock or restriction made anywhere (CLI,
 * API, another node) applies to the very next call of an open session.
 */
export interface SubmissionGuard {
  /** At MAIL FROM: sender must be the user or an alias; restricted users refused; messages-per-minute throttle. */
  checkSender(user: User, mailFrom: string, clientAddress: string | null): Promise<Decision>;
  /** At each RCPT TO: per-message cap, restriction, and the atomic sliding-window limits. */
  checkRecipient(envelope: Envelope, recipient: string): Promise<Decision>;
  /**
   * After DATA: both content verdicts (built-in, and the external scanner's when given); spam by
   * either is refused and counts as evidence (enough restricts); a scanner's soft reject defers.
   */
  checkMessage(
    envelope: Envelope,
    facts: MessageFacts,
    extra?: MessageExtra,
  ): Promise<
    Decision & { readonly spamScore: number; readonly isSpam: boolean; readonly spamBy?: readonly string[] | undefined }
  >;
}

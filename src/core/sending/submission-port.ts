import type { Sender } from '../directory/user.js';
import type { MessageFacts, ScanResult } from '../../ports/content-scorer.js';
import type { Decision } from './decision.js';

/** One message transaction of an authenticated user, as the gateway tracks it. */
export interface Envelope {
  readonly user: Sender;
  readonly clientAddress: string | null;
  readonly mailFrom: string;
  /** Recipients accepted so far in this transaction (normalised). */
  readonly accepted: readonly string[];
}

/** The sender's decision, and the recipient's when the sender was accepted. */
export interface FirstRecipientDecision {
  readonly sender: Decision;
  readonly recipient?: Decision | undefined;
}

/** The raw values of every From and Sender header of a message (unfolded, undecoded). */
export interface HeaderSenders {
  readonly from: readonly string[];
  readonly sender: readonly string[];
}

/** What the gateway adds to a message's facts: the header senders, the external scanner's result and the message id. */
export interface MessageExtra {
  /** Every From and Sender header, for the Send As rule; absent: not checked. */
  readonly senders?: HeaderSenders | undefined;
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
  checkSender(user: Sender, mailFrom: string, clientAddress: string | null): Promise<Decision>;
  /** At each RCPT TO: per-message cap, restriction, and the atomic sliding-window limits. */
  checkRecipient(envelope: Envelope, recipient: string): Promise<Decision>;
  /**
   * A recipient the policy accepted (its Decision carried `countedAt`) that the next hop then
   * refused: its counts are given back, so it never counts against the sender's limits.
   */
  releaseRecipient(envelope: Envelope, recipient: string, countedAt: Date): Promise<void>;
  /**
   * After DATA: Send As (the header From and Sender must be the user's address or alias, else
   * SENDER_NOT_ALLOWED), then both content verdicts (built-in, and the external scanner's when
   * given); spam by either and a refused Send As are refused and count as evidence (enough of it
   * within the policy's spam window restricts); a scanner's soft reject defers.
   */
  checkMessage(
    envelope: Envelope,
    facts: MessageFacts,
    extra?: MessageExtra,
  ): Promise<
    Decision & {
      readonly spamScore: number;
      readonly isSpam: boolean;
      readonly spamBy?: readonly string[] | undefined;
      /** Set when the message counted as evidence: the gateway hands it to EvidenceService.keep. */
      readonly evidence?: 'spam' | 'send-as' | undefined;
    }
  >;
}

/** The guard as the Postfix policy service uses it, where a message's sender and first recipient arrive together. */
export interface PolicyGuard extends Pick<SubmissionGuard, 'checkSender' | 'checkRecipient'> {
  /**
   * checkSender, then checkRecipient only if the sender passed, counted in one atomic step (one
   * counter round trip). The same rules and counts as the two calls one after the other.
   */
  checkFirstRecipient(envelope: Envelope, recipient: string): Promise<FirstRecipientDecision>;
}

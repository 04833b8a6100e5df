import { randomUUID } from 'node:crypto';
import {
  MESSAGE_RECIPIENTS_LOGGED,
  type MessageOutcome,
  type ScannerVerdictRecord,
} from '../../core/sending/message-record.js';
import type { GatewayContext, SessionState, Transaction } from './gateway-context.js';
import { isInternalRecipient } from './message-facts.js';

/** The facts of one finished (or refused) message that the session does not already hold. */
export interface MessageLogEntry {
  readonly id?: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly recipientsRefused: number;
  /** The transaction, when there was one: its guard-refused recipients by kind go to the log. */
  readonly transaction?: Pick<Transaction, 'refusedInternal' | 'refusedExternal'> | undefined;
  readonly size: number;
  readonly subject: string | null;
  readonly spamScore: number | null;
  readonly isSpam: boolean;
  readonly scanner?: ScannerVerdictRecord | null | undefined;
  readonly spamBy?: readonly string[] | undefined;
  readonly outcome: MessageOutcome;
  readonly reasonCode: string | null;
  readonly reason: string | null;
  readonly nextHopReply: string | null;
}

/** A fresh message id (also the capture outbox id and the `queued as` id). */
export function newMessageId(): string {
  return randomUUID();
}

/** Hands one MessageRecord to the message log; a failing log never fails the SMTP reply. */
export function logMessage(ctx: GatewayContext, state: SessionState, entry: MessageLogEntry): void {
  const internal = entry.recipients.filter((r) => isInternalRecipient(r, state.internalDomains)).length;
  try {
    ctx.deps.recordMessage({
      id: entry.id ?? newMessageId(),
      at: ctx.deps.clock.now(),
      userId: state.user?.id ?? null,
      sender: entry.sender,
      recipientsInternal: internal,
      recipientsExternal: entry.recipients.length - internal,
      recipientsRefused: entry.recipientsRefused,
      refusedInternal: entry.transaction?.refusedInternal ?? 0,
      refusedExternal: entry.transaction?.refusedExternal ?? 0,
      size: entry.size,
      subject: entry.subject,
      recipients: entry.recipients.slice(0, MESSAGE_RECIPIENTS_LOGGED),
      spamScore: entry.spamScore,
      isSpam: entry.isSpam,
      scanner: entry.scanner ?? null,
      spamBy: entry.spamBy ?? [],
      outcome: entry.outcome,
      reasonCode: entry.reasonCode,
      reason: entry.reason,
      nextHopReply: entry.nextHopReply,
      clientAddress: state.clientAddress,
    });
  } catch (err) {
    ctx.deps.logger.error({ err, messageId: entry.id }, 'recording a message failed');
  }
}

/**
 * A transaction that ended without DATA after a refused recipient (RSET, a new MAIL, QUIT)
 * still leaves one line in the log, so an admin sees what a restricted sender tried.
 */
export function logAbandonedTransaction(ctx: GatewayContext, state: SessionState): void {
  const tx = state.transaction;
  state.transaction = null;
  if (tx === null || tx.refused === 0) return;
  logMessage(ctx, state, {
    sender: tx.mailFrom,
    recipients: tx.accepted,
    recipientsRefused: tx.refused,
    transaction: tx,
    size: 0,
    subject: null,
    spamScore: null,
    isSpam: false,
    outcome: tx.refusal?.kind === 'defer' ? 'deferred' : 'rejected',
    reasonCode: tx.refusal?.code ?? null,
    reason: tx.refusal?.reason ?? null,
    nextHopReply: null,
  });
}

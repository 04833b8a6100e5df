import type { SMTPServerAddress } from 'smtp-server';
import { parseAddress } from '../../core/directory/address.js';
import { DomainError } from '../../core/errors.js';
import type { GatewayContext, SessionState } from './gateway-context.js';
import { isInternalRecipient } from './message-facts.js';

/**
 * RCPT TO: the guard sees the envelope so far (recipients accepted before this one) and
 * decides; smtp-server runs one command of a connection at a time, so pipelined RCPTs are
 * checked in order and never race each other here (the cross-connection race is the
 * counters' job). A repeated recipient is accepted again without counting twice.
 */
export async function checkRcptTo(ctx: GatewayContext, state: SessionState, address: SMTPServerAddress): Promise<void> {
  const user = state.user;
  const tx = state.transaction;
  if (user === null) throw new DomainError('UNAUTHENTICATED', 'Sign in with AUTH first.');
  if (tx === null) throw new DomainError('INVALID_INPUT', 'MAIL FROM comes before RCPT TO.');

  const recipient = parseAddress(address.address);
  if (recipient === null) {
    tx.refused += 1;
    throw new DomainError('INVALID_EMAIL', `"${address.address}" is not a valid recipient address.`);
  }
  if (tx.accepted.includes(recipient)) return;

  let decision;
  try {
    decision = await ctx.deps.guard.checkRecipient(
      { user, clientAddress: state.clientAddress, mailFrom: tx.mailFrom, accepted: [...tx.accepted] },
      recipient,
    );
  } catch (err) {
    tx.refused += 1;
    throw err;
  }
  if (decision.kind === 'accept') {
    tx.accepted.push(recipient);
    return;
  }
  tx.refused += 1;
  if (isInternalRecipient(recipient, state.internalDomains)) tx.refusedInternal += 1;
  else tx.refusedExternal += 1;
  tx.refusal = { kind: decision.kind, code: decision.code, reason: decision.reason };
  throw new DomainError(decision.code, decision.reason);
}

import type { SMTPServerAddress } from 'smtp-server';
import { parseAddress } from '../../core/directory/address.js';
import { DomainError } from '../../core/errors.js';
import { isInternalRecipient } from '../../core/policy/sending-limits.js';
import type { GatewayContext, SessionState, Transaction } from './gateway-context.js';
import { SmtpReply, replyFor } from './replies.js';

// A next hop's line is passed on only when it is a well-formed refusal.
const REFUSAL = /^[45][0-9]{2} [\x20-\x7e]*$/;

/**
 * The recipient the policy accepted goes to the next hop inside the open transaction, and the
 * client hears the next hop's answer (smtpd_proxy_filter): the message later reaches exactly
 * the recipients both accepted. One the next hop refuses is given back to the sender's limits.
 */
async function offerToNextHop(
  ctx: GatewayContext,
  state: SessionState,
  tx: Transaction,
  recipient: string,
  address: SMTPServerAddress,
  countedAt: Date | undefined,
): Promise<void> {
  const user = state.user;
  const args = address.args === false ? {} : address.args;
  const giveBack = async () => {
    tx.refused += 1;
    if (user !== null && countedAt !== undefined) {
      await ctx.deps.guard.releaseRecipient(
        { user, clientAddress: state.clientAddress, mailFrom: tx.mailFrom, accepted: [...tx.accepted] },
        recipient,
        countedAt,
      );
    }
  };
  if (tx.hop === null) {
    await giveBack();
    throw new SmtpReply(replyFor('RELAY_UNAVAILABLE'));
  }
  let answer;
  try {
    answer = await tx.hop.addRecipient(recipient, {
      notify: typeof args['NOTIFY'] === 'string' ? args['NOTIFY'] : undefined,
      orcpt: typeof args['ORCPT'] === 'string' ? args['ORCPT'] : undefined,
    });
  } catch (err) {
    await giveBack();
    throw err;
  }
  if (answer.accepted) {
    tx.accepted.push(recipient);
    return;
  }
  await giveBack();
  ctx.deps.logger.info({ recipient, nextHop: answer.reply }, 'next hop refused a recipient');
  const line = answer.reply.trim();
  throw new SmtpReply(REFUSAL.test(line) ? line : replyFor(answer.permanent ? 'RELAY_REJECTED' : 'RELAY_UNAVAILABLE'));
}

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
    await offerToNextHop(ctx, state, tx, recipient, address, decision.countedAt);
    return;
  }
  tx.refused += 1;
  if (isInternalRecipient(recipient, state.internalDomains)) tx.refusedInternal += 1;
  else tx.refusedExternal += 1;
  tx.refusal = { kind: decision.kind, code: decision.code, reason: decision.reason };
  throw new DomainError(decision.code, decision.reason);
}

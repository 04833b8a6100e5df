import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { parseAddress } from '../../core/directory/address.js';
import { DomainError } from '../../core/errors.js';
import type { GatewayContext, SessionState } from './gateway-context.js';
import { logAbandonedTransaction, logMessage } from './message-log.js';

function textArg(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The client started over (a new MAIL, or the session ended): the next hop's transaction is abandoned. */
export function abandonHop(state: SessionState): void {
  const hop = state.transaction?.hop;
  if (hop) void hop.abort();
  if (state.transaction) state.transaction.hop = null;
}

/**
 * MAIL FROM: the declared SIZE, then the guard (own address or alias, restriction,
 * messages-per-minute). A refusal is logged as one message line; acceptance opens a transaction.
 */
export async function checkMailFrom(
  ctx: GatewayContext,
  state: SessionState,
  address: SMTPServerAddress,
  session: SMTPServerSession,
): Promise<void> {
  abandonHop(state);
  logAbandonedTransaction(ctx, state);
  const user = state.user;
  if (user === null) throw new DomainError('UNAUTHENTICATED', 'Sign in with AUTH first.');

  // RFC 1870: a declared size over the limit is refused before any byte of the message.
  const declared = address.args === false ? undefined : address.args['SIZE'];
  if (typeof declared === 'string' && Number(declared) > ctx.maxMessageBytes) {
    throw new DomainError('MESSAGE_TOO_LARGE', `Declared size ${declared} bytes exceeds ${ctx.maxMessageBytes}.`);
  }

  // The null sender and quoted or literal forms are never a user's own address.
  const mailFrom = parseAddress(address.address);
  const decision =
    mailFrom === null
      ? ({
          kind: 'reject',
          code: 'SENDER_NOT_ALLOWED',
          reason: `"${address.address}" is not an address of this user.`,
        } as const)
      : await ctx.deps.guard.checkSender(user, mailFrom, session.remoteAddress);

  if (decision.kind === 'accept') {
    const args = address.args === false ? {} : address.args;
    // The next hop's own answer to MAIL FROM (or 451 4.4.1 when it is unreachable) is the client's.
    const hop = await ctx.deps.relay.begin({
      from: mailFrom ?? '',
      smtputf8: session.envelope.smtpUtf8 === true || args['SMTPUTF8'] === true,
      ret: textArg(args['RET']),
      envid: textArg(args['ENVID']),
    });
    state.transaction = {
      mailFrom: mailFrom ?? '',
      accepted: [],
      refused: 0,
      refusedInternal: 0,
      refusedExternal: 0,
      refusal: null,
      hop,
    };
    return;
  }
  logMessage(ctx, state, {
    sender: address.address,
    recipients: [],
    recipientsRefused: 0,
    size: 0,
    subject: null,
    spamScore: null,
    isSpam: false,
    outcome: decision.kind === 'defer' ? 'deferred' : 'rejected',
    reasonCode: decision.code,
    reason: decision.reason,
    nextHopReply: null,
  });
  throw new DomainError(decision.code, decision.reason);
}

import type { SMTPServerSession } from 'smtp-server';
import { isLoopback } from './auth.js';
import type { GatewayContext } from './gateway-context.js';
import { logAbandonedTransaction } from './message-log.js';
import { abandonHop } from './mail-from.js';
import { SMTP_OK, SmtpReply } from './replies.js';

/**
 * A client connected: start tracking its session. On a cleartext connection AUTH is neither
 * advertised nor accepted until STARTTLS (RFC 4954 section 4; Postfix's smtpd_tls_auth_only),
 * so no client is invited to send a password in the clear; MAIL before AUTH still gets
 * 530 from mail-from.ts.
 */
export async function openSession(
  ctx: GatewayContext,
  session: SMTPServerSession,
  guard: () => () => void,
): Promise<void> {
  // One address may hold only its fair share of the listener's slots.
  let fromAddress = 0;
  for (const s of ctx.sessions.values()) if (s.clientAddress === session.remoteAddress) fromAddress += 1;
  if (fromAddress >= ctx.limits.maxClientsPerIp) {
    ctx.deps.logger.warn({ client: session.remoteAddress, open: fromAddress }, 'smtp per-address connection cap');
    throw new SmtpReply(SMTP_OK.tooManyFromAddress);
  }
  ctx.sessions.set(session.id, {
    clientAddress: session.remoteAddress,
    authFailures: 0,
    stopGuard: guard(),
    user: null,
    internalDomains: [],
    transaction: null,
  });
  if (!session.secure && !(ctx.allowPlainAuthOnLoopback && isLoopback(session.remoteAddress))) {
    session.disabledCommands = ['AUTH'];
  }
}

/** TLS is up (STARTTLS done, or implicit TLS): AUTH becomes available. */
export async function secureSession(_ctx: GatewayContext, session: SMTPServerSession): Promise<void> {
  delete session.disabledCommands;
}

/** The connection closed (QUIT, timeout, client gone): log an unfinished refused transaction and forget the session. */
export function closeSession(ctx: GatewayContext, session: SMTPServerSession): void {
  const state = ctx.sessions.get(session.id);
  if (state === undefined) return;
  ctx.sessions.delete(session.id);
  state.stopGuard();
  abandonHop(state);
  logAbandonedTransaction(ctx, state);
}

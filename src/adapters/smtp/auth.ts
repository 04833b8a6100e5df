import type { SMTPServerAuthentication, SMTPServerSession } from 'smtp-server';
import { domainOf } from '../../core/directory/address.js';
import type { User } from '../../core/directory/user.js';
import { isDomainError } from '../../core/errors.js';
import type { GatewayContext, SessionState } from './gateway-context.js';
import { SMTP_OK, SmtpReply } from './replies.js';

/** True for the loopback addresses (smtp-server already strips the IPv4-mapped prefix, but be safe). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

function defaultDomains(user: User): string[] {
  return [...new Set([user.email, ...user.aliases].map((a) => domainOf(a)))];
}

/**
 * AUTH PLAIN / LOGIN. Credentials cross the wire only under TLS (STARTTLS or implicit),
 * except on loopback when the admin allowed it for local testing; smtp-server answers 538
 * itself when that exception is off. Wrong password, blocked sign-in and lockout are the
 * core sign-in's decision and arrive as DomainErrors the gateway maps through replies.ts.
 */
export async function authenticateClient(
  ctx: GatewayContext,
  state: SessionState,
  auth: SMTPServerAuthentication,
  session: SMTPServerSession,
): Promise<User> {
  if (!session.secure && !(ctx.allowPlainAuthOnLoopback && isLoopback(session.remoteAddress))) {
    throw new SmtpReply(SMTP_OK.encryptionRequired);
  }
  // At most maxAuthFailures wrong passwords per connection: then the connection is closed.
  if (state.authFailures >= ctx.limits.maxAuthFailures) throw new SmtpReply(SMTP_OK.tooManyAuthFailures);
  let user: User;
  try {
    user = await ctx.deps.authenticate(auth.username ?? '', auth.password ?? '', session.remoteAddress);
  } catch (err) {
    state.authFailures += 1;
    ctx.deps.logger.info(
      { session: session.id, client: session.remoteAddress, reason: isDomainError(err) ? err.code : 'INTERNAL' },
      'smtp sign-in refused',
    );
    throw err;
  }
  state.internalDomains =
    ctx.deps.acceptedDomains === undefined ? defaultDomains(user) : await ctx.deps.acceptedDomains(user);
  state.user = user;
  ctx.deps.logger.info(
    { session: session.id, userId: user.id, method: auth.method, client: session.remoteAddress },
    'smtp sign-in',
  );
  return user;
}

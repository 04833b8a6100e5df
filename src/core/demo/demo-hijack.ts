import type { DirectoryService } from '../directory/directory-service.js';
import { DomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { DEMO_DOMAIN } from './demo-tenant.js';

/**
 * `demo hijack`'s first step: the "attacker" knows the password, as a phished one would be. Only
 * a user of the demo tenant qualifies; the password is reset to a fresh one (no change required)
 * and returned, for the SMTP client that plays the attacker.
 */
export async function phishDemoUser(
  directory: Pick<DirectoryService, 'getUser' | 'resetPassword'>,
  p: Principal,
  email: string,
): Promise<{ readonly email: string; readonly password: string }> {
  const user = await directory.getUser(p, email);
  if (!user.email.endsWith(`@${DEMO_DOMAIN}`)) {
    throw new DomainError(
      'INVALID_INPUT',
      `demo hijack only acts on the demo tenant (${DEMO_DOMAIN}); ${user.email} is not in it.`,
    );
  }
  const { temporaryPassword } = await directory.resetPassword(p, user.email, { mustChangePassword: false });
  return { email: user.email, password: temporaryPassword };
}

import type { Principal } from '../roles/principal.js';
import type { DirectoryService } from './directory-service.js';

/**
 * On an empty directory, creates the first global admin and returns their one-time password
 * (to be printed once); on any later start returns null and changes nothing.
 */
export async function ensureFirstAdmin(
  p: Principal,
  directory: DirectoryService,
  email: string,
): Promise<{ email: string; password: string } | null> {
  const users = await directory.listUsers(p, { limit: 1 });
  if (users.total > 0) return null;
  const admin = await directory.addUser(p, { email, displayName: 'Administrator', roles: ['global-admin'] });
  const { temporaryPassword } = await directory.resetPassword(p, admin.id, { mustChangePassword: true });
  return { email: admin.email, password: temporaryPassword };
}

import type { UserStore } from '../../ports/stores.js';
import { DomainError } from '../errors.js';
import type { User } from './user.js';

/** Finds a user by id or by email/alias; throws USER_NOT_FOUND naming what was looked for. */
export async function resolveUser(users: UserStore, idOrEmail: string): Promise<User> {
  const key = idOrEmail.trim();
  const user = key.includes('@') ? await users.findByAddress(key.toLowerCase()) : await users.findById(key);
  if (!user)
    throw new DomainError('USER_NOT_FOUND', `There is no user "${idOrEmail}".`, { details: { user: idOrEmail } });
  return user;
}

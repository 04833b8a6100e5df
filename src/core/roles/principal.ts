import type { Actor } from '../audit/audit-event.js';
import type { Role } from './roles.js';

/** Who is acting and with which roles: a signed-in admin, an API token, or the CLI operator. */
export interface Principal {
  readonly actor: Actor;
  readonly roles: readonly Role[];
  /** The acting user's id, or null for tokens, the CLI and the system. */
  readonly userId: string | null;
}

/** The CLI acts with the machine operator's full rights: whoever can run it can read the data folder anyway. */
export function cliPrincipal(osUser: string): Principal {
  return { actor: { kind: 'cli', id: osUser, label: `cli:${osUser}` }, roles: ['global-admin'], userId: null };
}

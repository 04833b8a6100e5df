import { createContext, useContext } from 'react';
import type { MeDto } from '../../../shared/api-schemas-session.js';

/** The signed-in user as the app knows it, and how pages change it. */
export interface Session {
  readonly me: MeDto | null;
  /** Store a fresh MeDto (after sign-in, TOTP, password change); also sets the CSRF token. */
  readonly setMe: (me: MeDto | null) => void;
  /** Reload /me; resolves null when signed out. */
  readonly refresh: () => Promise<MeDto | null>;
  /** Remember that enrolment was postponed for this session (the banner stays until enrolled). */
  readonly markPostponed: () => void;
}

export const SessionContext = createContext<Session>({
  me: null,
  setMe: () => undefined,
  refresh: () => Promise.resolve(null),
  markPostponed: () => undefined,
});

export function useSession(): Session {
  return useContext(SessionContext);
}

/** True when the signed-in user holds the permission (the server checks again; this only hides controls). */
export function useCan(): (permission: string) => boolean {
  const { me } = useSession();
  return (permission) => (me?.permissions as readonly string[] | undefined)?.includes(permission) ?? false;
}

/**
 * The portal's routes as data, with typed link builders. Pages and tests build every URL through
 * `links`, never by hand, so a renamed path cannot leave a dead link behind.
 */

export type RouteName =
  | 'home'
  | 'signIn'
  | 'users'
  | 'restricted'
  | 'alerts'
  | 'policies'
  | 'audit'
  | 'outbox'
  | 'forgotPassword'
  | 'changePassword'
  | 'account';

/** Navigation groups of the side bar (i18n keys under nav.*). */
export type NavGroup = 'users' | 'review' | 'none';

export interface RouteDef {
  readonly name: RouteName;
  readonly path: string;
  /** i18n key of the page title (also the nav label). */
  readonly titleKey: string;
  /** Reachable without a session (sign-in and self-service). */
  readonly isPublic: boolean;
  /** Permission needed to see the page in the nav; undefined = every signed-in user. */
  readonly permission?: string;
  /** Where it sits in the side nav; absent = not in the nav. */
  readonly navGroup?: NavGroup;
}

export const ROUTES: readonly RouteDef[] = [
  { name: 'home', path: '/', titleKey: 'nav.home', isPublic: false, navGroup: 'none' },
  {
    name: 'users',
    path: '/users',
    titleKey: 'nav.activeUsers',
    isPublic: false,
    permission: 'users.read',
    navGroup: 'users',
  },
  {
    name: 'restricted',
    path: '/review/restricted-users',
    titleKey: 'nav.restrictedUsers',
    isPublic: false,
    permission: 'restricted.read',
    navGroup: 'review',
  },
  {
    name: 'alerts',
    path: '/alerts',
    titleKey: 'nav.alerts',
    isPublic: false,
    permission: 'alerts.read',
    navGroup: 'review',
  },
  {
    name: 'audit',
    path: '/audit-log',
    titleKey: 'nav.auditLog',
    isPublic: false,
    permission: 'audit.read',
    navGroup: 'review',
  },
  {
    name: 'policies',
    path: '/policies',
    titleKey: 'nav.policies',
    isPublic: false,
    permission: 'policy.read',
    navGroup: 'none',
  },
  {
    name: 'outbox',
    path: '/outbox',
    titleKey: 'nav.outbox',
    isPublic: false,
    permission: 'outbox.read',
    navGroup: 'none',
  },
  // Every signed-in user (admins and mail users): app passwords, own sessions, change password.
  { name: 'account', path: '/account', titleKey: 'nav.account', isPublic: false, navGroup: 'none' },
  { name: 'changePassword', path: '/account/password', titleKey: 'changePassword.title', isPublic: false },
  { name: 'signIn', path: '/sign-in', titleKey: 'signIn.title', isPublic: true },
  { name: 'forgotPassword', path: '/forgot-password', titleKey: 'forgot.title', isPublic: true },
];

export type UserFilter = 'all' | 'blocked' | 'locked' | 'restricted';
export type AuditRange = { action?: string; actor?: string; user?: string; from?: string; to?: string };

function withQuery(path: string, query: Readonly<Record<string, string | number | undefined | null>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

function pathOf(name: RouteName): string {
  const route = ROUTES.find((r) => r.name === name);
  if (route === undefined) throw new Error(`Unknown route ${name}`);
  return route.path;
}

/** Typed link builders: the only way to make a portal URL. */
export const links = {
  home: (): string => pathOf('home'),
  /** `next` is where to return after signing in (a portal path only). */
  /** `enrol` opens the TOTP enrolment step for an already signed-in admin (from the banner). */
  signIn: (next?: string, enrol?: boolean): string =>
    withQuery(pathOf('signIn'), {
      next: next !== undefined && isSafeNext(next) ? next : undefined,
      enrol: enrol === true ? 1 : undefined,
    }),
  users: (q: { search?: string; filter?: UserFilter; page?: number; user?: string } = {}): string =>
    withQuery(pathOf('users'), {
      search: q.search,
      filter: q.filter === 'all' ? undefined : q.filter,
      page: q.page === 0 ? undefined : q.page,
      user: q.user,
    }),
  restricted: (q: { search?: string; user?: string } = {}): string =>
    withQuery(pathOf('restricted'), { search: q.search, user: q.user }),
  alerts: (q: { status?: 'open' | 'resolved' | 'all' } = {}): string =>
    withQuery(pathOf('alerts'), { status: q.status === 'open' ? undefined : q.status }),
  policies: (): string => pathOf('policies'),
  audit: (q: AuditRange = {}): string => withQuery(pathOf('audit'), { ...q }),
  outbox: (q: { item?: string } = {}): string => withQuery(pathOf('outbox'), { item: q.item }),
  forgotPassword: (q: { email?: string } = {}): string => withQuery(pathOf('forgotPassword'), { email: q.email }),
  account: (): string => pathOf('account'),
  changePassword: (q: { next?: string } = {}): string =>
    withQuery(pathOf('changePassword'), { next: q.next !== undefined && isSafeNext(q.next) ? q.next : undefined }),
} as const;

/** API URLs that are plain links (downloads), built here too. */
export const apiLinks = {
  auditCsv: (q: AuditRange = {}): string => withQuery('/api/v1/audit-log/export.csv', { ...q }),
  /** The full export for a SIEM (JSON lines with hashes and the newest checkpoint). */
  auditExport: (q: { since?: string } = {}): string => withQuery('/api/v1/audit-log/export', { since: q.since }),
} as const;

/** Only same-origin portal paths are allowed as a "next" target (no open redirect). */
export function isSafeNext(next: string): boolean {
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/api/');
}

/** The route for a path name, or undefined (the app shows "page not found"). */
export function matchRoute(pathname: string): RouteDef | undefined {
  const clean = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return ROUTES.find((r) => r.path === clean);
}

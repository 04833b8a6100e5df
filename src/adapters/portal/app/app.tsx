import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ComponentType } from 'react';
import { Spinner } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api, setCsrfToken, setUnauthenticatedHandler } from './api.js';
import type { ApiError } from './api.js';
import type { MeDto } from '../../shared/api-schemas-session.js';
import { ApiErrorBar } from './components/api-error-bar.js';
import { AppShell, PublicLayout } from './components/app-shell.js';
import { currentHref, navigate, useLocation } from './components/navigation.js';
import { SessionContext } from './components/session.js';
import type { Session } from './components/session.js';
import { toApiError } from './components/use-api-load.js';
import { links, matchRoute } from './routes.js';
import type { RouteName } from './routes.js';

// Every page is its own chunk: the first load carries only the shell.
const pages: Readonly<Record<RouteName, ComponentType>> = {
  home: lazy(() => import('./pages/home/home-page.js').then((m) => ({ default: m.HomePage }))),
  signIn: lazy(() => import('./pages/sign-in/sign-in-page.js').then((m) => ({ default: m.SignInPage }))),
  users: lazy(() => import('./pages/users/active-users-page.js').then((m) => ({ default: m.ActiveUsersPage }))),
  restricted: lazy(() =>
    import('./pages/restricted/restricted-users-page.js').then((m) => ({ default: m.RestrictedUsersPage })),
  ),
  alerts: lazy(() => import('./pages/alerts/alerts-page.js').then((m) => ({ default: m.AlertsPage }))),
  policies: lazy(() => import('./pages/policies/policies-page.js').then((m) => ({ default: m.PoliciesPage }))),
  audit: lazy(() => import('./pages/audit/audit-log-page.js').then((m) => ({ default: m.AuditLogPage }))),
  outbox: lazy(() => import('./pages/outbox/outbox-page.js').then((m) => ({ default: m.OutboxPage }))),
  account: lazy(() => import('./pages/account/account-page.js').then((m) => ({ default: m.AccountPage }))),
  forgotPassword: lazy(() =>
    import('./pages/self-service/forgot-password-page.js').then((m) => ({ default: m.ForgotPasswordPage })),
  ),
  changePassword: lazy(() =>
    import('./pages/self-service/change-password-page.js').then((m) => ({ default: m.ChangePasswordPage })),
  ),
};
const NotFoundPage = lazy(() =>
  import('./pages/not-found/not-found-page.js').then((m) => ({ default: m.NotFoundPage })),
);

const POSTPONED_KEY = 'sendwarden.totpPostponed';

function readPostponed(): string | null {
  try {
    return window.sessionStorage.getItem(POSTPONED_KEY);
  } catch {
    return null;
  }
}

/** True while the session still owes its second factor (postponed enrolment lets the admin in). */
export function isMfaPending(me: MeDto, postponedSession: string | null): boolean {
  return me.mfa === 'required' || (me.mfa === 'enrol' && postponedSession !== me.sessionId);
}

type Boot = { status: 'loading' } | { status: 'ready' } | { status: 'error'; error: ApiError };

export function App() {
  const { t } = useTranslation();
  const location = useLocation();
  const [me, setMeState] = useState<MeDto | null>(null);
  const [boot, setBoot] = useState<Boot>({ status: 'loading' });
  const [postponed, setPostponed] = useState<string | null>(readPostponed);
  const route = matchRoute(location.pathname);

  const setMe = useCallback((next: MeDto | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setMeState(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const fresh = await api.me();
      setMe(fresh);
      return fresh;
    } catch (err) {
      const error = toApiError(err);
      if (error.status === 401) {
        setMe(null);
        return null;
      }
      throw error;
    }
  }, [setMe]);

  const loadMe = useCallback(() => {
    setBoot({ status: 'loading' });
    refresh().then(
      () => setBoot({ status: 'ready' }),
      (err: unknown) => setBoot({ status: 'error', error: toApiError(err) }),
    );
  }, [refresh]);

  useEffect(() => {
    loadMe();
    setUnauthenticatedHandler(() => {
      setMe(null);
      const here = currentHref();
      if (!here.startsWith(links.signIn())) navigate(links.signIn(here), { replace: true });
    });
  }, [loadMe, setMe]);

  const session: Session = useMemo(
    () => ({
      me,
      setMe,
      refresh,
      markPostponed: () => {
        if (me === null) return;
        try {
          window.sessionStorage.setItem(POSTPONED_KEY, me.sessionId);
        } catch {
          // Storage disabled: the postponement lasts for this page only.
        }
        setPostponed(me.sessionId);
      },
    }),
    [me, setMe, refresh],
  );

  // Route guards: no session -> sign-in (and back here afterwards); second factor owed -> sign-in;
  // a forced password change (after an admin reset) -> change password first.
  const redirect = (() => {
    if (boot.status !== 'ready' || route === undefined) return null;
    if (route.isPublic) return null;
    if (me === null || isMfaPending(me, postponed)) return links.signIn(location.href);
    if (me.user.mustChangePassword && route.name !== 'changePassword')
      return links.changePassword({ next: location.href });
    return null;
  })();
  useEffect(() => {
    if (redirect !== null) navigate(redirect, { replace: true });
  }, [redirect]);

  // Move focus to the new page's main region on client-side navigation (not on first load).
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [location.pathname]);

  useEffect(() => {
    document.title = route !== undefined ? `${t(route.titleKey)} - ${t('app.name')}` : t('app.name');
  }, [route, t]);

  const fallback = <Spinner label={t('common.loading')} labelPosition="below" style={{ padding: 48 }} />;

  if (boot.status === 'loading') return fallback;
  if (boot.status === 'error' && (route === undefined || !route.isPublic)) {
    return (
      <PublicLayout>
        <ApiErrorBar error={boot.error} onRetry={loadMe} testId="boot-error" />
      </PublicLayout>
    );
  }
  if (redirect !== null) return fallback;

  const Page = route !== undefined ? pages[route.name] : NotFoundPage;
  const content = (
    <Suspense fallback={fallback}>
      <Page key={route?.name ?? 'not-found'} />
    </Suspense>
  );
  return (
    <SessionContext.Provider value={session}>
      {route !== undefined && !route.isPublic && me !== null ? (
        <AppShell active={route}>{content}</AppShell>
      ) : (
        <PublicLayout>{content}</PublicLayout>
      )}
    </SessionContext.Provider>
  );
}

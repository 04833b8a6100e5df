import type { ReactNode } from 'react';
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';
import { ROUTES, links } from '../routes.js';
import type { NavGroup, RouteDef } from '../routes.js';
import { useFormat } from './format.js';
import { LanguagePicker } from './language-picker.js';
import { navigate } from './navigation.js';
import { useCan, useSession } from './session.js';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', minHeight: '100vh' },
  skip: {
    position: 'absolute',
    left: '-9999px',
    ':focus': {
      left: tokens.spacingHorizontalM,
      top: tokens.spacingVerticalS,
      zIndex: 10,
      background: '#fff',
      padding: '8px',
    },
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    background: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, flexGrow: 1 },
  user: { color: tokens.colorNeutralForegroundOnBrand },
  body: { display: 'flex', flexGrow: 1 },
  nav: {
    width: '220px',
    flexShrink: 0,
    background: tokens.colorNeutralBackground1,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    padding: `${tokens.spacingVerticalM} 0`,
  },
  navGroup: {
    margin: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL} ${tokens.spacingVerticalXS}`,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground3,
    textTransform: 'uppercase',
  },
  navList: { listStyle: 'none', margin: 0, padding: 0 },
  navLink: {
    display: 'block',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    borderLeft: '3px solid transparent',
    ':hover': { background: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  navLinkActive: {
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    background: tokens.colorNeutralBackground1Selected,
    fontWeight: tokens.fontWeightSemibold,
  },
  main: { flexGrow: 1, padding: tokens.spacingHorizontalXXL, minWidth: 0, ':focus': { outline: 'none' } },
  banner: { marginBottom: tokens.spacingVerticalL },
});

/** Consecutive routes of the same group, in the order of ROUTES (Home, Users, Review, then the rest). */
function groupRuns(routes: readonly RouteDef[]): { group: NavGroup; items: RouteDef[] }[] {
  const runs: { group: NavGroup; items: RouteDef[] }[] = [];
  for (const r of routes) {
    const group = r.navGroup ?? 'none';
    const last = runs[runs.length - 1];
    if (last !== undefined && last.group === group) last.items.push(r);
    else runs.push({ group, items: [r] });
  }
  return runs;
}

function NavItem(props: { route: RouteDef; active: boolean }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <li>
      <a
        href={props.route.path}
        className={props.active ? `${styles.navLink} ${styles.navLinkActive}` : styles.navLink}
        aria-current={props.active ? 'page' : undefined}
        data-testid={`nav-${props.route.name}`}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
          e.preventDefault();
          navigate(props.route.path);
        }}
      >
        {t(props.route.titleKey)}
      </a>
    </li>
  );
}

/** Header (language, user, sign out), side navigation by section, the TOTP banner, and the page. */
export function AppShell(props: { active: RouteDef; children: ReactNode }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const { me, setMe } = useSession();
  const can = useCan();
  const fmt = useFormat();
  const visible = ROUTES.filter((r) => r.navGroup !== undefined && (r.permission === undefined || can(r.permission)));
  const needsEnrolment = me !== null && me.user.roles.length > 0 && !me.user.totpEnrolled;

  const signOut = () => {
    api.signOut().finally(() => {
      setMe(null);
      navigate(links.signIn());
    });
  };

  return (
    <div className={styles.page}>
      <a href="#main" className={styles.skip}>
        {t('shell.skipToMain')}
      </a>
      <header className={styles.header}>
        <span className={styles.brand}>{t('app.name')}</span>
        <LanguagePicker />
        {me !== null ? (
          <>
            <Text className={styles.user} data-testid="signed-in-as">
              {me.user.displayName}
            </Text>
            <Button
              appearance="transparent"
              style={{ color: 'inherit' }}
              onClick={() => navigate(links.changePassword())}
            >
              {t('shell.changePassword')}
            </Button>
            <Button appearance="secondary" onClick={signOut} data-testid="sign-out">
              {t('shell.signOut')}
            </Button>
          </>
        ) : null}
      </header>
      <div className={styles.body}>
        <nav className={styles.nav} aria-label={t('shell.navigation')}>
          {groupRuns(visible).map(({ group, items }, i) => (
            <div key={`${group}-${i}`}>
              {group !== 'none' ? (
                <div className={styles.navGroup} aria-hidden="true">
                  {t(`nav.group.${group}`)}
                </div>
              ) : null}
              <ul className={styles.navList} aria-label={group !== 'none' ? t(`nav.group.${group}`) : undefined}>
                {items.map((r) => (
                  <NavItem key={r.name} route={r} active={r.name === props.active.name} />
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" className={styles.main} tabIndex={-1}>
          {needsEnrolment ? (
            <MessageBar intent="warning" className={styles.banner} data-testid="totp-banner">
              <MessageBarBody>
                {me.totpDeadline !== null
                  ? t('shell.totpBanner', { deadline: fmt.dateTime(me.totpDeadline) })
                  : t('shell.totpBannerNoDeadline')}
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={() => navigate(links.signIn(undefined, true))}>{t('shell.totpSetUp')}</Button>
              </MessageBarActions>
            </MessageBar>
          ) : null}
          {props.children}
        </main>
      </div>
    </div>
  );
}

/** Sign-in and self-service: a centred card with the language switch. */
export function PublicLayout(props: { children: ReactNode }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <span className={styles.brand}>{t('app.name')}</span>
        <LanguagePicker />
      </header>
      <main id="main" style={{ display: 'flex', justifyContent: 'center', padding: '48px 16px' }} tabIndex={-1}>
        <div
          style={{
            width: '100%',
            maxWidth: 440,
            background: '#fff',
            padding: 32,
            borderRadius: 8,
            boxShadow: tokens.shadow8,
          }}
        >
          {props.children}
        </div>
      </main>
    </div>
  );
}

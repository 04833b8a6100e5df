import { useState } from 'react';
import {
  Button,
  Divider,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { UserDto } from '../../../../shared/api-schemas.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { RecentMessages } from '../../components/recent-messages.js';
import { ResetPasswordPanel } from '../../components/reset-password-panel.js';
import { useRestoreFocus } from '../../components/restore-focus.js';
import { SecureAccountPanel } from '../../components/secure-account-panel.js';
import { useCan } from '../../components/session.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { UserStatusBadges } from '../../components/user-status-badges.js';
import { SignInStatusPanel } from './sign-in-status-panel.js';

export const useDrawerStyles = makeStyles({
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    marginBlock: tokens.spacingVerticalL,
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

type Panel = 'none' | 'reset' | 'status' | 'secure';

/** The selected user's flyout: facts, Reset password, Edit sign-in status, Unlock, Secure account, recent messages. */
export function UserDetailsDrawer(props: { userId: string | null; onClose: () => void; onChanged: () => void }) {
  const open = props.userId !== null;
  useRestoreFocus(open);
  return (
    <OverlayDrawer
      open={open}
      position="end"
      size="medium"
      onOpenChange={(_e, d) => {
        if (!d.open) props.onClose();
      }}
      aria-labelledby="user-drawer-title"
      data-testid="user-drawer"
    >
      {props.userId !== null ? (
        <UserDetails key={props.userId} userId={props.userId} onClose={props.onClose} onChanged={props.onChanged} />
      ) : null}
    </OverlayDrawer>
  );
}

function UserDetails(props: { userId: string; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const styles = useDrawerStyles();
  const fmt = useFormat();
  const can = useCan();
  const [nonce, setNonce] = useState(0);
  const user = useApiLoad(() => api.getUser(props.userId), `${props.userId}|${nonce}`);
  const messages = useApiLoad(() => api.userMessages(props.userId, 10), props.userId);
  const [panel, setPanel] = useState<Panel>('none');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const changed = (message?: string) => {
    setNonce((n) => n + 1);
    props.onChanged();
    if (message !== undefined) setNotice(message);
  };

  const unlock = (u: UserDto) => {
    setError(null);
    api.unlockUser(u.id).then(
      () => changed(t('users.unlocked', { name: u.displayName })),
      (err: unknown) => setError(toApiError(err)),
    );
  };

  const title = user.data?.displayName ?? t('users.details');
  return (
    <>
      <DrawerHeader>
        <DrawerHeaderTitle
          id="user-drawer-title"
          heading={{ as: 'h2' }}
          action={
            <Button appearance="subtle" aria-label={t('common.close')} onClick={props.onClose}>
              {t('common.close')}
            </Button>
          }
        >
          {title}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <LoadGate state={user}>
          {(u) => {
            const isLocked = u.lockedUntil !== null && new Date(u.lockedUntil).getTime() > Date.now();
            return (
              <>
                <dl className={styles.facts}>
                  <dt className={styles.term}>{t('users.email')}</dt>
                  <dd className={styles.dd}>{u.email}</dd>
                  {u.aliases.length > 0 ? (
                    <>
                      <dt className={styles.term}>{t('users.aliases')}</dt>
                      <dd className={styles.dd}>{u.aliases.join(', ')}</dd>
                    </>
                  ) : null}
                  <dt className={styles.term}>{t('users.status')}</dt>
                  <dd className={styles.dd}>
                    <UserStatusBadges user={u} />
                  </dd>
                  {isLocked ? (
                    <>
                      <dt className={styles.term}>{t('users.lockedUntil')}</dt>
                      <dd className={styles.dd}>{fmt.dateTime(u.lockedUntil)}</dd>
                    </>
                  ) : null}
                  {u.roles.length > 0 ? (
                    <>
                      <dt className={styles.term}>{t('users.roles')}</dt>
                      <dd className={styles.dd}>{u.roles.map((r) => t(`roles.${r}`)).join(', ')}</dd>
                    </>
                  ) : null}
                  <dt className={styles.term}>{t('users.lastSignIn')}</dt>
                  <dd className={styles.dd}>
                    {u.lastSignInAt !== null ? fmt.dateTime(u.lastSignInAt) : t('users.never')}
                  </dd>
                </dl>
                {notice !== null ? (
                  <MessageBar intent="success" role="status" style={{ marginTop: 12 }}>
                    <MessageBarBody>{notice}</MessageBarBody>
                  </MessageBar>
                ) : null}
                {error !== null ? <ApiErrorBar error={error} /> : null}
                <div className={styles.section}>
                  <div className={styles.actions} role="toolbar" aria-label={t('users.actions')}>
                    {can('users.reset-password') ? (
                      <Button
                        aria-expanded={panel === 'reset'}
                        onClick={() => setPanel(panel === 'reset' ? 'none' : 'reset')}
                      >
                        {t('actions.resetPassword')}
                      </Button>
                    ) : null}
                    {can('users.sign-in-status') ? (
                      <Button
                        aria-expanded={panel === 'status'}
                        onClick={() => setPanel(panel === 'status' ? 'none' : 'status')}
                      >
                        {t('actions.editSignInStatus')}
                      </Button>
                    ) : null}
                    {can('users.unlock') && isLocked ? (
                      <Button onClick={() => unlock(u)} data-testid="unlock">
                        {t('actions.unlock')}
                      </Button>
                    ) : null}
                    {can('users.secure-account') ? (
                      <Button
                        aria-expanded={panel === 'secure'}
                        onClick={() => setPanel(panel === 'secure' ? 'none' : 'secure')}
                      >
                        {t('actions.secureAccount')}
                      </Button>
                    ) : null}
                  </div>
                  {panel === 'reset' ? (
                    <section className={styles.section} aria-labelledby="reset-heading">
                      <Subtitle2 as="h3" id="reset-heading">
                        {t('actions.resetPassword')}
                      </Subtitle2>
                      <ResetPasswordPanel user={u} onDone={() => changed()} />
                    </section>
                  ) : null}
                  {panel === 'status' ? (
                    <section className={styles.section} aria-labelledby="status-heading">
                      <Subtitle2 as="h3" id="status-heading">
                        {t('actions.editSignInStatus')}
                      </Subtitle2>
                      <SignInStatusPanel user={u} onDone={(message) => changed(message)} />
                    </section>
                  ) : null}
                  {panel === 'secure' ? (
                    <section className={styles.section} aria-labelledby="secure-heading">
                      <Subtitle2 as="h3" id="secure-heading">
                        {t('actions.secureAccount')}
                      </Subtitle2>
                      <Text>{t('secureAccount.description')}</Text>
                      <SecureAccountPanel user={u} onDone={() => changed()} />
                    </section>
                  ) : null}
                </div>
              </>
            );
          }}
        </LoadGate>
        <Divider />
        <section className={styles.section} aria-labelledby="messages-heading">
          <Subtitle2 as="h3" id="messages-heading">
            {t('messages.title')}
          </Subtitle2>
          <LoadGate state={messages}>{(page) => <RecentMessages messages={page.items} />}</LoadGate>
        </section>
      </DrawerBody>
    </>
  );
}

import { Body1, Subtitle1 } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { AppLink } from '../../components/app-link.js';
import { PageHeader } from '../../components/page-header.js';
import { useSession } from '../../components/session.js';
import { links } from '../../routes.js';
import { AppPasswordsSection } from './app-passwords-section.js';
import { EmailLocaleSection } from './email-locale-section.js';
import { useAccountStyles } from './account-styles.js';
import { SessionsSection } from './sessions-section.js';

/** My account, for every signed-in user: password, app passwords for mail programs, own portal sessions. */
export function AccountPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const styles = useAccountStyles();
  return (
    <>
      <PageHeader title={t('nav.account')} description={t('account.description', { email: me?.user.email ?? '' })} />
      <section className={styles.section} aria-labelledby="account-password-heading">
        <Subtitle1 as="h2" id="account-password-heading">
          {t('account.password.heading')}
        </Subtitle1>
        <Body1>{t('account.password.text')}</Body1>
        <div>
          <AppLink href={links.changePassword()} testId="account-change-password">
            {t('shell.changePassword')}
          </AppLink>
        </div>
      </section>
      <EmailLocaleSection />
      <AppPasswordsSection />
      <SessionsSection />
    </>
  );
}

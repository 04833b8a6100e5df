import { Badge, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { UserDto } from '../../../shared/api-schemas.js';

const useStyles = makeStyles({ root: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' } });

/** Sign-in blocked, locked out, restricted, must change password: the states an admin acts on. */
export function UserStatusBadges(props: { user: UserDto }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const u = props.user;
  const isLocked = u.lockedUntil !== null && new Date(u.lockedUntil).getTime() > Date.now();
  const none = !u.signInBlocked && !isLocked && !u.isRestricted && !u.mustChangePassword;
  return (
    <span className={styles.root}>
      {u.signInBlocked ? <Badge color="danger">{t('status.signInBlocked')}</Badge> : null}
      {isLocked ? <Badge color="warning">{t('status.locked')}</Badge> : null}
      {u.isRestricted ? <Badge color="severe">{t('status.restricted')}</Badge> : null}
      {u.mustChangePassword ? <Badge color="informative">{t('status.mustChangePassword')}</Badge> : null}
      {none ? (
        <Badge color="success" appearance="outline">
          {t('status.active')}
        </Badge>
      ) : null}
    </span>
  );
}

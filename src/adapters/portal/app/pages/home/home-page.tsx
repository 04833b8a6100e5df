import {
  Card,
  CardHeader,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title1,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { AppLink } from '../../components/app-link.js';
import { BarChart } from '../../components/bar-chart.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { PageHeader } from '../../components/page-header.js';
import { useCan, useSession } from '../../components/session.js';
import { useApiLoad } from '../../components/use-api-load.js';
import { links } from '../../routes.js';

const useStyles = makeStyles({
  tiles: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
    gap: tokens.spacingHorizontalL,
  },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 1fr)',
    gap: tokens.spacingHorizontalL,
    marginTop: tokens.spacingVerticalL,
    '@media (max-width: 900px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  number: { display: 'block' },
});

/** Home: restricted users now, open alerts, the last 24 hours by hour, top senders (for admins). */
export function HomePage() {
  const can = useCan();
  return can('restricted.read') || can('users.read') ? <AdminHome /> : <UserHome />;
}

/** A mail user without an admin role: their account, and the one thing they can do here. */
function UserHome() {
  const { t } = useTranslation();
  const { me } = useSession();
  return (
    <>
      <PageHeader title={t('home.title')} description={t('home.userIntro', { email: me?.user.email ?? '' })} />
      <ul style={{ margin: 0, paddingLeft: 20, lineHeight: 2 }}>
        <li>
          <AppLink href={links.account()} testId="home-account">
            {t('nav.account')}
          </AppLink>
        </li>
        <li>
          <AppLink href={links.changePassword()}>{t('shell.changePassword')}</AppLink>
        </li>
      </ul>
    </>
  );
}

function AdminHome() {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const overview = useApiLoad(() => api.overview(), 'overview');
  return (
    <>
      <PageHeader title={t('home.title')} description={t('home.description')} />
      <LoadGate state={overview}>
        {(data) => (
          <>
            <div className={styles.tiles}>
              <Card>
                <CardHeader header={<Subtitle2 as="h2">{t('nav.restrictedUsers')}</Subtitle2>} />
                <Title1 className={styles.number} data-testid="restricted-count">
                  {fmt.number(data.restrictedCount)}
                </Title1>
                <AppLink href={links.restricted()}>{t('home.reviewRestricted')}</AppLink>
              </Card>
              <Card>
                <CardHeader header={<Subtitle2 as="h2">{t('home.openAlerts')}</Subtitle2>} />
                <Title1 className={styles.number} data-testid="open-alerts">
                  {fmt.number(data.openAlerts)}
                </Title1>
                <AppLink href={links.alerts()}>{t('home.viewAlerts')}</AppLink>
              </Card>
            </div>
            <div className={styles.grid}>
              <Card>
                <CardHeader header={<Subtitle2 as="h2">{t('home.chartTitle')}</Subtitle2>} />
                <BarChart data={data.hourly} />
              </Card>
              <Card>
                <CardHeader header={<Subtitle2 as="h2">{t('home.topSenders')}</Subtitle2>} />
                {data.topSenders.length === 0 ? (
                  <Text>{t('home.noSenders')}</Text>
                ) : (
                  <Table size="small" aria-label={t('home.topSenders')}>
                    <TableHeader>
                      <TableRow>
                        <TableHeaderCell>{t('home.sender')}</TableHeaderCell>
                        <TableHeaderCell>{t('home.messages')}</TableHeaderCell>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {data.topSenders.map((s) => (
                        <TableRow key={s.sender}>
                          <TableCell>{s.sender}</TableCell>
                          <TableCell>{fmt.number(s.count)}</TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
              </Card>
            </div>
          </>
        )}
      </LoadGate>
    </>
  );
}

import { useState } from 'react';
import {
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  OverlayDrawer,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { Pager } from '../../components/pager.js';
import { useRestoreFocus } from '../../components/restore-focus.js';
import { useApiLoad } from '../../components/use-api-load.js';
import { links } from '../../routes.js';

const PAGE_SIZE = 25;

const useStyles = makeStyles({
  raw: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    background: tokens.colorNeutralBackground3,
    padding: tokens.spacingHorizontalM,
  },
  subjectButton: { justifyContent: 'flex-start', textAlign: 'start', padding: 0, minWidth: 0 },
});

/** The capture outbox: mail accepted while no next hop is configured, readable here. */
export function OutboxPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const location = useLocation();
  const selected = location.search.get('item');
  const [page, setPage] = useState(0);
  const list = useApiLoad(() => api.listOutbox({ offset: page * PAGE_SIZE, limit: PAGE_SIZE }), String(page));
  const open = selected !== null;
  useRestoreFocus(open);

  return (
    <>
      <PageHeader title={t('nav.outbox')} description={t('outbox.description')} />
      <LoadGate state={list}>
        {(data) =>
          data.items.length === 0 ? (
            <Text role="status">{t('outbox.none')}</Text>
          ) : (
            <>
              <Table aria-label={t('nav.outbox')} data-testid="outbox-table">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('outbox.at')}</TableHeaderCell>
                    <TableHeaderCell>{t('outbox.from')}</TableHeaderCell>
                    <TableHeaderCell>{t('outbox.to')}</TableHeaderCell>
                    <TableHeaderCell>{t('outbox.subject')}</TableHeaderCell>
                    <TableHeaderCell>{t('outbox.size')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((m) => (
                    <TableRow key={m.id}>
                      <TableCell>{fmt.dateTime(m.at)}</TableCell>
                      <TableCell>{m.from}</TableCell>
                      <TableCell>{m.to.join(', ')}</TableCell>
                      <TableCell>
                        <Button
                          appearance="transparent"
                          className={styles.subjectButton}
                          onClick={() => navigate(links.outbox({ item: m.id }))}
                        >
                          {m.subject ?? t('messages.noSubject')}
                        </Button>
                      </TableCell>
                      <TableCell>{t('outbox.bytes', { size: m.size })}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              <Pager page={page} pageSize={PAGE_SIZE} total={data.total} onPage={setPage} />
            </>
          )
        }
      </LoadGate>
      <OverlayDrawer
        open={open}
        position="end"
        size="large"
        onOpenChange={(_e, d) => {
          if (!d.open) navigate(links.outbox());
        }}
        aria-labelledby="outbox-item-title"
      >
        {selected !== null ? <OutboxItem id={selected} rawClass={styles.raw} /> : null}
      </OverlayDrawer>
    </>
  );
}

function OutboxItem(props: { id: string; rawClass: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const item = useApiLoad(() => api.getOutboxItem(props.id), props.id);
  return (
    <>
      <DrawerHeader>
        <DrawerHeaderTitle
          id="outbox-item-title"
          heading={{ as: 'h2' }}
          action={
            <Button appearance="subtle" onClick={() => navigate(links.outbox())}>
              {t('common.close')}
            </Button>
          }
        >
          {item.data?.subject ?? t('outbox.message')}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <LoadGate state={item}>
          {(m) => (
            <>
              <Text block>{t('outbox.headerLine', { from: m.from, to: m.to.join(', '), at: fmt.dateTime(m.at) })}</Text>
              <pre className={props.rawClass} data-testid="outbox-raw">
                {m.raw}
              </pre>
            </>
          )}
        </LoadGate>
      </DrawerBody>
    </>
  );
}

import { useState } from 'react';
import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
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
import type { OutboxMessageDto } from '../../../../shared/api-schemas.js';
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
  // Fixed columns: long addresses wrap inside their own cell instead of running under the next one.
  table: { tableLayout: 'fixed', width: '100%' },
  address: { overflowWrap: 'anywhere', wordBreak: 'break-word', whiteSpace: 'normal', verticalAlign: 'top' },
  colAt: { width: '14%' },
  colFrom: { width: '24%' },
  colTo: { width: '24%' },
  colSubject: { width: '28%' },
  colSize: { width: '10%' },
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
              <Table aria-label={t('nav.outbox')} data-testid="outbox-table" className={styles.table}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell className={styles.colAt}>{t('outbox.at')}</TableHeaderCell>
                    <TableHeaderCell className={styles.colFrom}>{t('outbox.from')}</TableHeaderCell>
                    <TableHeaderCell className={styles.colTo}>{t('outbox.to')}</TableHeaderCell>
                    <TableHeaderCell className={styles.colSubject}>{t('outbox.subject')}</TableHeaderCell>
                    <TableHeaderCell className={styles.colSize}>{t('outbox.size')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((m) => (
                    <TableRow key={m.id}>
                      <TableCell className={styles.address}>{fmt.dateTime(m.at)}</TableCell>
                      <TableCell className={styles.address} data-testid="outbox-from">
                        {m.from}
                      </TableCell>
                      <TableCell className={styles.address} data-testid="outbox-to">
                        {m.to.join(', ')}
                      </TableCell>
                      <TableCell className={styles.address}>
                        <Button
                          appearance="transparent"
                          className={styles.subjectButton}
                          onClick={() => navigate(links.outbox({ item: m.id }))}
                        >
                          {m.subject ?? t('messages.noSubject')}
                        </Button>
                        {m.holdsSecret ? (
                          <Badge appearance="tint" color="warning" style={{ marginInlineStart: 8 }}>
                            {t('outbox.secret')}
                          </Badge>
                        ) : null}
                      </TableCell>
                      <TableCell className={styles.address}>{t('outbox.bytes', { size: m.size })}</TableCell>
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
  const [revealed, setRevealed] = useState<OutboxMessageDto | null>(null);
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
      {/* A long message scrolls here with nothing focusable in it: the body itself takes focus, so the
          keyboard can scroll it (axe: scrollable-region-focusable). */}
      <DrawerBody tabIndex={0} role="region" aria-labelledby="outbox-item-title">
        <LoadGate state={item}>
          {(loaded) => {
            const m = revealed ?? loaded;
            return (
              <>
                <Text block>
                  {t('outbox.headerLine', { from: m.from, to: m.to.join(', '), at: fmt.dateTime(m.at) })}
                </Text>
                {m.masked ? (
                  <MessageBar intent="warning" style={{ margin: '12px 0' }}>
                    <MessageBarBody>
                      {t('outbox.masked')} {t('outbox.revealNote')}{' '}
                      <Button
                        size="small"
                        onClick={() => void api.revealOutboxItem(props.id).then(setRevealed, () => undefined)}
                      >
                        {t('outbox.reveal')}
                      </Button>
                    </MessageBarBody>
                  </MessageBar>
                ) : null}
                <pre className={props.rawClass} data-testid="outbox-raw">
                  {m.raw}
                </pre>
              </>
            );
          }}
        </LoadGate>
      </DrawerBody>
    </>
  );
}

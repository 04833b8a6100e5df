import { useState } from 'react';
import {
  Badge,
  Button,
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
import type { EvidenceMessageDto, EvidenceOpenDto, MessageDto } from '../../../shared/api-schemas.js';
import { api } from '../api.js';
import type { ApiError } from '../api.js';
import { ApiErrorBar } from './api-error-bar.js';
import { useFormat } from './format.js';
import { toApiError } from './use-api-load.js';

// Subjects, recipients and message text are user content: React renders them as text, never as HTML.

const useStyles = makeStyles({
  // Fixed layout: long subjects and addresses wrap inside their column instead of widening the flyout.
  table: { tableLayout: 'fixed', width: '100%' },
  cell: { overflowWrap: 'anywhere', wordBreak: 'break-word', verticalAlign: 'top' },
  at: { width: '22%' },
  subject: { width: '30%' },
  recipients: { width: '28%' },
  verdict: { width: '20%' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  text: {
    margin: 0,
    maxHeight: '320px',
    overflow: 'auto',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    padding: tokens.spacingHorizontalS,
  },
});

/** "a@x, b@x and 3 more": the first recipients and how many there were in all. */
function useRecipients(): (shown: readonly string[], total: number) => string {
  const { t } = useTranslation();
  return (shown, total) =>
    shown.length === 0
      ? t('messages.noRecipients')
      : t('messages.recipientList', { shown: shown.join(', '), more: Math.max(0, total - shown.length) });
}

/** Rspamd's action, score and strongest symbols, or the built-in score. */
function ScannerLine(props: { scanner: MessageDto['scanner'] }) {
  const { t } = useTranslation();
  if (!props.scanner) return null;
  return (
    <Text size={200} data-testid="scanner-verdict">
      {t('messages.scanner', {
        action: props.scanner.action,
        score: props.scanner.score,
        symbols: props.scanner.symbols.length > 0 ? ` (${props.scanner.symbols.slice(0, 5).join(', ')})` : '',
      })}
    </Text>
  );
}

/** A user's recent messages: when, subject, recipients, verdict and score (from the message log). */
export function RecentMessages(props: { messages: readonly MessageDto[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const styles = useStyles();
  const recipients = useRecipients();
  if (props.messages.length === 0) return <Text>{t('messages.none')}</Text>;
  return (
    <Table size="small" aria-label={t('messages.title')} data-testid="recent-messages" className={styles.table}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell className={styles.at}>{t('messages.at')}</TableHeaderCell>
          <TableHeaderCell className={styles.subject}>{t('messages.subject')}</TableHeaderCell>
          <TableHeaderCell className={styles.recipients}>{t('messages.recipients')}</TableHeaderCell>
          <TableHeaderCell className={styles.verdict}>{t('messages.outcome')}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.messages.map((m) => (
          <TableRow key={m.id}>
            <TableCell className={styles.cell}>{fmt.dateTime(m.at)}</TableCell>
            <TableCell className={styles.cell}>{m.subject ?? t('messages.noSubject')}</TableCell>
            <TableCell className={styles.cell}>
              <div className={styles.stack}>
                <Text size={200} data-testid="message-recipients">
                  {recipients(m.recipients, m.recipientsInternal + m.recipientsExternal)}
                </Text>
                <Text size={200}>
                  {t('messages.recipientCounts', {
                    internal: m.recipientsInternal,
                    external: m.recipientsExternal,
                    refused: m.recipientsRefused,
                  })}
                </Text>
              </div>
            </TableCell>
            <TableCell className={styles.cell}>
              <div className={styles.stack}>
                <span>
                  <Badge
                    color={m.outcome === 'relayed' || m.outcome === 'captured' ? 'success' : 'danger'}
                    appearance="tint"
                  >
                    {t(`messages.outcomes.${m.outcome}`)}
                  </Badge>
                </span>
                {m.isSpam ? (
                  <span>
                    <Badge color="danger" appearance="outline">
                      {t('messages.spam', { score: m.spamScore ?? 0 })}
                    </Badge>
                  </span>
                ) : null}
                {m.spamBy.length > 0 ? (
                  <Text size={200} data-testid="spam-by">
                    {t('messages.spamBy', { by: m.spamBy.join(', ') })}
                  </Text>
                ) : null}
                <ScannerLine scanner={m.scanner} />
              </div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The messages kept as evidence for a restriction: time, subject, recipients, verdict and score, and
 * Open, which shows what was really sent as text (the server audits every view).
 */
export function EvidenceMessages(props: { userId: string; items: readonly EvidenceMessageDto[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const styles = useStyles();
  const recipients = useRecipients();
  const [opened, setOpened] = useState<EvidenceOpenDto | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (props.items.length === 0) return <Text>{t('unblock.keptNone')}</Text>;
  const open = (id: string) => {
    if (opened?.id === id) return setOpened(null);
    setBusy(id);
    setError(null);
    api
      .openEvidence(props.userId, id)
      .then(setOpened)
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(null));
  };
  return (
    <div className={styles.stack}>
      <Table
        size="small"
        aria-label={t('unblock.keptMessages')}
        data-testid="evidence-messages"
        className={styles.table}
      >
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.at}>{t('messages.at')}</TableHeaderCell>
            <TableHeaderCell className={styles.subject}>{t('messages.subject')}</TableHeaderCell>
            <TableHeaderCell className={styles.recipients}>{t('messages.recipients')}</TableHeaderCell>
            <TableHeaderCell className={styles.verdict}>{t('messages.verdict')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {props.items.map((m) => (
            <TableRow key={m.id}>
              <TableCell className={styles.cell}>{fmt.dateTime(m.at)}</TableCell>
              <TableCell className={styles.cell}>
                <div className={styles.stack}>
                  <span data-testid="evidence-subject">{m.subject ?? t('messages.noSubject')}</span>
                  <span>
                    <Button
                      size="small"
                      appearance="secondary"
                      onClick={() => open(m.id)}
                      disabled={busy !== null}
                      aria-expanded={opened?.id === m.id}
                      aria-label={t('unblock.openLabel', { subject: m.subject ?? t('messages.noSubject') })}
                    >
                      {opened?.id === m.id ? t('unblock.hide') : t('unblock.open')}
                    </Button>
                  </span>
                </div>
              </TableCell>
              <TableCell className={styles.cell}>
                <Text size={200} data-testid="evidence-recipients">
                  {recipients(m.recipients, m.recipientCount)}
                </Text>
              </TableCell>
              <TableCell className={styles.cell}>
                <div className={styles.stack}>
                  <span>
                    <Badge color="danger" appearance="tint">
                      {t(`messages.evidenceKinds.${m.kind}`)}
                    </Badge>
                  </span>
                  <Text size={200} data-testid="evidence-score">
                    {t('messages.score', { score: m.scanner?.score ?? m.spamScore })}
                  </Text>
                  <ScannerLine scanner={m.scanner} />
                </div>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {error !== null ? <ApiErrorBar error={error} /> : null}
      {opened !== null ? (
        <section aria-label={t('unblock.messageText')} data-testid="evidence-text">
          {opened.truncated ? <Text block>{t('unblock.cut', { size: opened.size })}</Text> : null}
          <pre className={styles.text}>{opened.text}</pre>
        </section>
      ) : null}
    </div>
  );
}

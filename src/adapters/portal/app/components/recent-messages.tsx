import {
  Badge,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { MessageDto } from '../../../shared/api-schemas.js';
import { useFormat } from './format.js';

/** A user's recent messages: when, subject, recipients, verdict, outcome (subjects are user data, shown as is). */
export function RecentMessages(props: { messages: readonly MessageDto[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (props.messages.length === 0) return <Text>{t('messages.none')}</Text>;
  return (
    <Table size="small" aria-label={t('messages.title')} data-testid="recent-messages">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{t('messages.at')}</TableHeaderCell>
          <TableHeaderCell>{t('messages.subject')}</TableHeaderCell>
          <TableHeaderCell>{t('messages.recipients')}</TableHeaderCell>
          <TableHeaderCell>{t('messages.outcome')}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {props.messages.map((m) => (
          <TableRow key={m.id}>
            <TableCell>{fmt.dateTime(m.at)}</TableCell>
            <TableCell>{m.subject ?? t('messages.noSubject')}</TableCell>
            <TableCell>
              {t('messages.recipientCounts', {
                internal: m.recipientsInternal,
                external: m.recipientsExternal,
                refused: m.recipientsRefused,
              })}
            </TableCell>
            <TableCell>
              <Badge
                color={m.outcome === 'relayed' || m.outcome === 'captured' ? 'success' : 'danger'}
                appearance="tint"
              >
                {t(`messages.outcomes.${m.outcome}`)}
              </Badge>{' '}
              {m.isSpam ? (
                <Badge color="danger" appearance="outline">
                  {t('messages.spam', { score: m.spamScore ?? 0 })}
                </Badge>
              ) : null}
              {m.spamBy.length > 0 ? (
                <Text size={200} data-testid="spam-by">
                  {' '}
                  {t('messages.spamBy', { by: m.spamBy.join(', ') })}
                </Text>
              ) : null}
              {m.scanner ? (
                <Text size={200} block data-testid="scanner-verdict">
                  {t('messages.scanner', {
                    action: m.scanner.action,
                    score: m.scanner.score,
                    symbols: m.scanner.symbols.length > 0 ? ` (${m.scanner.symbols.slice(0, 5).join(', ')})` : '',
                  })}
                </Text>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

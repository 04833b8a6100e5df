import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';

const useStyles = makeStyles({
  root: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, marginTop: tokens.spacingVerticalM },
});

/** "1-25 of 40" with Previous / Next; `page` is zero-based. */
export function Pager(props: { page: number; pageSize: number; total: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const first = props.total === 0 ? 0 : props.page * props.pageSize + 1;
  const last = Math.min(props.total, (props.page + 1) * props.pageSize);
  return (
    <nav className={styles.root} aria-label={t('pager.label')}>
      <Button disabled={props.page === 0} onClick={() => props.onPage(props.page - 1)}>
        {t('pager.previous')}
      </Button>
      <Text aria-live="polite">{t('pager.range', { first, last, total: props.total })}</Text>
      <Button disabled={last >= props.total} onClick={() => props.onPage(props.page + 1)}>
        {t('pager.next')}
      </Button>
    </nav>
  );
}

import type { ReactNode } from 'react';
import { Body1, Title2, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    marginBottom: tokens.spacingVerticalL,
  },
  description: { color: tokens.colorNeutralForeground2 },
});

/** The page's one h1 (Fluent titles are not headings by default) and an optional description. */
export function PageHeader(props: { title: string; description?: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <Title2 as="h1">{props.title}</Title2>
      {props.description !== undefined ? <Body1 className={styles.description}>{props.description}</Body1> : null}
    </div>
  );
}

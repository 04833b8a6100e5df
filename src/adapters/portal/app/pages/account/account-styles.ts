import { makeStyles, tokens } from '@fluentui/react-components';

/** Layout shared by the sections of My account. */
export const useAccountStyles = makeStyles({
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    maxWidth: '960px',
    marginBottom: tokens.spacingVerticalXXL,
    '& h2, & h3': { marginBlock: 0 },
  },
  intro: { color: tokens.colorNeutralForeground2 },
  form: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'start', flexWrap: 'wrap' },
  nameField: { minWidth: '280px' },
  submit: { marginTop: '26px' },
  muted: { color: tokens.colorNeutralForeground3 },
  created: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    background: tokens.colorNeutralBackground1,
  },
  agent: { display: 'block', maxWidth: '360px', overflowWrap: 'anywhere' },
});

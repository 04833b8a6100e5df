import { useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { AuditEntryDto, PolicyDto } from '../../../../shared/api-schemas-admin.js';
import { AppLink } from '../../components/app-link.js';
import { useFormat } from '../../components/format.js';
import { links } from '../../routes.js';

/** Every action the core writes has a name in auditAction.* (dots become underscores in the key). */
export function actionKey(action: string): string {
  return `auditAction.${action.replaceAll('.', '_')}`;
}

/** The action's translated name; an action this portal does not know shows as written. */
export function useActionName(): (action: string) => string {
  const { t } = useTranslation();
  return (action) => t(actionKey(action), { defaultValue: action });
}

const USERS_STEP = 50;

const useStyles = makeStyles({
  change: { fontSize: tokens.fontSizeBase200, wordBreak: 'break-word' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, fontSize: tokens.fontSizeBase200 },
});

function UserLink(props: { email: string }) {
  return <AppLink href={links.users({ search: props.email })}>{props.email}</AppLink>;
}

/** Who did it: a signed-in user links to that user; the system and tokens show their names. */
export function ActorCell(props: { entry: AuditEntryDto }) {
  const { t } = useTranslation();
  const { actor } = props.entry;
  if (actor.kind === 'user' && actor.label.includes('@')) return <UserLink email={actor.label} />;
  if (actor.kind === 'system') return <>{t('audit.system')}</>;
  return <>{actor.label}</>;
}

/** To whom: "user:<email>" links to the user; a bulk target ("users:500") shows nothing here. */
export function TargetCell(props: { entry: AuditEntryDto }) {
  const { target } = props.entry;
  if (target.startsWith('user:')) return <UserLink email={target.slice('user:'.length)} />;
  if (target.startsWith('users:')) return null;
  return <>{target}</>;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A value in a few characters: long lists are counted, objects cut short, times in the reader's language. */
function short(value: unknown, count: (n: number) => string, dateTime: (iso: string) => string): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value))
    return value.length <= 3 ? value.map((v) => short(v, count, dateTime)).join(', ') : count(value.length);
  if (typeof value === 'string' && ISO_TIME.test(value)) return dateTime(value);
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  }
  return String(value);
}

/** Each limit's label on the Policies page (a Record, so a new limit fails to compile until it has one). */
const LIMIT_LABELS: Readonly<Record<keyof PolicyDto['limits'], string>> = {
  externalPerHour: 'policies.fields.externalPerHour',
  internalPerHour: 'policies.fields.internalPerHour',
  perDay: 'policies.fields.perDay',
  messagesPerMinute: 'policies.fields.messagesPerMinute',
  recipientsPerMessage: 'policies.fields.recipientsPerMessage',
};

function isLimitName(name: string): name is keyof PolicyDto['limits'] {
  return Object.hasOwn(LIMIT_LABELS, name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A policy's limits, one labelled line each in the reader's language ("External recipients per hour:
 * 500 → 100" when the entry has both sides), instead of their JSON. A limit this portal has no label
 * for (written by a newer server) is shown under its own name, never dropped.
 */
function LimitsChange(props: { before: Record<string, unknown> | null; after: Record<string, unknown> | null }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const { before, after } = props;
  const count = (n: number) => t('audit.items', { count: n });
  const show = (v: unknown) => (typeof v === 'number' ? fmt.number(v) : short(v, count, fmt.dateTime));
  const names = [...new Set([...Object.keys(LIMIT_LABELS), ...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return (
    <div>
      {t('policies.limitsHeading')}
      <ul className={styles.list} data-testid="audit-limits">
        {names
          .filter((n) => (before !== null && n in before) || (after !== null && n in after))
          .map((n) => {
            const from = before?.[n];
            const to = after?.[n];
            const value =
              before !== null && after !== null && from !== to
                ? `${show(from)} → ${show(to)}`
                : show(after !== null ? to : from);
            return <li key={n}>{t('audit.detail', { name: isLimitName(n) ? t(LIMIT_LABELS[n]) : n, value })}</li>;
          })}
      </ul>
    </div>
  );
}

/** Imported users: one summary line; the addresses behind a button, 50 at a time. */
function ImportedUsers(props: { emails: readonly string[] }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [shown, setShown] = useState(0);
  const count = props.emails.length;
  return (
    <div>
      <Text>{t('audit.imported', { count })}</Text>{' '}
      {shown === 0 ? (
        <Button size="small" appearance="subtle" onClick={() => setShown(USERS_STEP)}>
          {t('audit.showUsers', { count })}
        </Button>
      ) : (
        <>
          <Button size="small" appearance="subtle" onClick={() => setShown(0)}>
            {t('audit.hideUsers')}
          </Button>
          <ul className={styles.list} data-testid="audit-imported-users">
            {props.emails.slice(0, shown).map((email) => (
              <li key={email}>
                <UserLink email={email} />
              </li>
            ))}
          </ul>
          {shown < count && (
            <Button size="small" appearance="subtle" onClick={() => setShown(shown + USERS_STEP)}>
              {t('audit.moreUsers')}
            </Button>
          )}
        </>
      )}
    </div>
  );
}

/** Changes as short "field: before → after" lines; bulk entries summarised. */
export function ChangesCell(props: { entry: AuditEntryDto }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const { entry } = props;
  const emails = entry.after?.emails;
  if (entry.action === 'users.imported' && Array.isArray(emails))
    return <ImportedUsers emails={emails.filter((e): e is string => typeof e === 'string')} />;
  const keys = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])];
  if (keys.length === 0) return null;
  const count = (n: number) => t('audit.items', { count: n });
  return (
    <div className={styles.change}>
      {keys.map((k) => {
        const hasBefore = entry.before !== null && k in entry.before;
        if (k === 'limits' && isRecord(entry.after?.[k] ?? entry.before?.[k])) {
          const side = (v: unknown) => (isRecord(v) ? v : null);
          return <LimitsChange key={k} before={side(entry.before?.[k])} after={side(entry.after?.[k])} />;
        }
        const after = short(entry.after?.[k], count, fmt.dateTime);
        return (
          <div key={k}>
            {k}: {hasBefore ? `${short(entry.before?.[k], count, fmt.dateTime)} → ${after}` : after}
          </div>
        );
      })}
    </div>
  );
}

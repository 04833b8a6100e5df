import { useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { AuditEntryDto, PolicyDto } from '../../../../shared/api-schemas-admin.js';
import { AppLink } from '../../components/app-link.js';
import { useFormat } from '../../components/format.js';
import { links } from '../../routes.js';
import { SCOPE_KEYS } from '../policies/custom-policy-rules.js';
import { POLICY_ACTIONS } from '../policies/policy-rules.js';

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

type Side = Readonly<Record<string, unknown>> | null;

/** One field as it reads: "500 → 100" when the entry has both sides and they differ, else the side it has. */
function changeText(before: Side, after: Side, name: string, show: (v: unknown) => string): string {
  const from = show(before?.[name]);
  const to = show(after?.[name]);
  if (before !== null && after !== null) return from === to ? to : `${from} → ${to}`;
  return after !== null ? to : from;
}

/**
 * The fields of a policy entry that the Policies page words, under its labels: the action as the
 * custom policies table names it, the spam count in the language's digits, and whom a custom
 * policy applies to ("Groups: sales; Domains: contoso.com"). A value this portal cannot read
 * (undefined from `show`) is shown as written.
 */
function usePolicyFields(): Readonly<Record<string, { label: string; show: (v: unknown) => string | undefined }>> {
  const { t } = useTranslation();
  const fmt = useFormat();
  return {
    action: {
      label: t('policies.action'),
      show: (v) => (POLICY_ACTIONS.find((a) => a === v) ? t(`policies.actionsShort.${String(v)}`) : undefined),
    },
    spamVerdictsToRestrict: {
      label: t('policies.fields.spamVerdictsToRestrict'),
      show: (v) => (typeof v === 'number' ? fmt.number(v) : undefined),
    },
    scope: {
      label: t('customPolicies.appliesTo'),
      show: (v) => {
        if (!isRecord(v) || !SCOPE_KEYS.every((k) => Array.isArray(v[k]))) return undefined;
        const lines = SCOPE_KEYS.flatMap((k) => {
          const list = (v[k] as unknown[]).map(String);
          return list.length > 0 ? [t(`customPolicies.scopeList.${k}`, { list: list.join(', ') })] : [];
        });
        // An empty scope matches nobody (core/policy/policy-match.ts), so it is not "everyone".
        return lines.length > 0 ? lines.join('; ') : t('audit.nothing');
      },
    },
  };
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
            const value = changeText(before, after, n, show);
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

/**
 * Changes as short "field: before → after" lines; bulk entries summarised; a policy's limits, action,
 * spam count and scope under the Policies page's labels, in the page's language.
 */
export function ChangesCell(props: { entry: AuditEntryDto }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const policyFields = usePolicyFields();
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
        const field =
          entry.action.startsWith('policy.') && Object.hasOwn(policyFields, k) ? policyFields[k] : undefined;
        if (field !== undefined) {
          const show = (v: unknown) => field.show(v) ?? short(v, count, fmt.dateTime);
          const value = changeText(entry.before, entry.after, k, show);
          return (
            <div key={k} data-testid={`audit-policy-${k}`}>
              {t('audit.detail', { name: field.label, value })}
            </div>
          );
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

/**
 * The portal's five catalogues. If this fails, a user sees a raw key ("unblock.submit"), an empty
 * button, a broken plural, or a product term that differs from the seeds' wording.
 * No fakes: the real JSON files and the real ICU parser (intl-messageformat).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { ALERT_TYPES } from '../../src/core/alerts/alert.js';
import { AUDIT_ACTIONS } from '../../src/core/audit/audit-actions.js';
import { breach } from '../../src/core/policy/sending-limits.js';
import type { LimitRule } from '../../src/core/policy/sending-limits.js';
import { ROLES } from '../../src/core/roles/roles.js';
import { LANGUAGES } from '../../src/adapters/portal/app/i18n/i18n.js';

const appDir = fileURLToPath(new URL('../../src/adapters/portal/app/', import.meta.url));

type Catalogue = { [key: string]: string | Catalogue };

function load(lng: string): Record<string, string> {
  const json = JSON.parse(readFileSync(path.join(appDir, 'i18n', `${lng}.json`), 'utf8')) as Catalogue;
  const flat: Record<string, string> = {};
  const walk = (node: Catalogue, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') flat[prefix + key] = value;
      else walk(value, `${prefix}${key}.`);
    }
  };
  walk(json, '');
  return flat;
}

const catalogues = Object.fromEntries(LANGUAGES.map((lng) => [lng, load(lng)])) as Record<
  string,
  Record<string, string>
>;
const en = catalogues['en']!;

/** Sample values for every argument an ICU message may use. */
const SAMPLE: Record<string, unknown> = {
  count: 2,
  reason: 'connect ECONNREFUSED 127.0.0.1:9',
  steps: 1,
  sessions: 3,
  appPasswords: 1,
  first: 1,
  last: 25,
  total: 40,
  min: 0,
  max: 1000,
  score: 14.5,
  size: 2048,
  internal: 1,
  external: 50,
  refused: 12,
  email: 'rob@contoso.com',
  name: 'Rob Young',
  search: 'rob',
  title: 'Alert',
  deadline: '2 Dec 2026',
  at: '22 Nov 2026',
  from: 'megan@contoso.com',
  to: 'alex@fabrikam.com',
  limit: 500,
  windowMinutes: 60,
  minLength: 12,
  retryAfterMinutes: 15,
  used: 3,
  cap: 3,
  windowDays: 30,
  field: 'limits.perDay',
  user: 'nobody@fabrikam.com',
  entry: 'sales@fabrikam',
  list: 'Sales, Finance',
  value: 500,
  browser: 'Firefox',
  system: 'Linux',
  device: 'Firefox on Linux',
  action: 'reject',
  by: 'builtin, rspamd',
  symbols: ' (GTUBE)',
  // What-if (Preview impact on the Policies page).
  rows: 12840,
  users: 310,
  days: 7,
  restricted: 3,
  added: 2,
  gone: 1,
  actual: 4,
  shown: 200,
  deleted: 1,
  guessed: 0,
  unknown: 5,
  rule: 'External recipients per hour',
  // Email (issue 16) and the alert summaries with figures.
  account: 'rob@contoso.com',
  code: '12345678',
  minutes: 15,
  severity: 'Medium',
  recipients: 120,
  address: '203.0.113.7',
  until: '2 Dec 2026, 21:13 (CET)',
  since: '2 Dec 2026, 20:00 (CET)',
  // Evidence and learning at unblock (issue 15 part 4, issue 16 part 2).
  more: 3,
  subject: 'Invoice overdue',
  learned: 3,
  messages: 3,
  kind: 'ham',
  detail: 'Rspamd answered HTTP 401',
  // The date fields' pattern (components/day-input.tsx).
  pattern: 'zz.ll.aaaa',
};

/** Every rule a restriction's evidence can name (a Record, so a new LimitRule fails to compile here). */
const LIMIT_RULES = Object.keys({
  'external-per-hour': true,
  'internal-per-hour': true,
  'per-day': true,
  'messages-per-minute': true,
  'spam-verdicts': true,
} satisfies Record<LimitRule, true>) as LimitRule[];

/** The ICU arguments each sentence that replaces a server sentence must take (ApiErrorBar, alerts, evidence). */
const EXPECTED_ARGUMENTS: Record<string, string> = {
  ...Object.fromEntries(LIMIT_RULES.map((r) => [`evidence.${r}`, 'count,limit'])),
  'evidence.spam-verdicts': 'count,limit,windowMinutes',
  ...Object.fromEntries(ALERT_TYPES.map((type) => [`alerts.summaries.${type}`, 'email'])),
  // About the system, not a user: Rspamd away names no one.
  'alerts.summaries.content-scanner-unavailable': '',
  // With the figures of the alert's details (adapters/shared/alert-summary.ts), times formatted by the reader.
  'alerts.summaries.user-restricted-figures': 'count,email,limit',
  'alerts.summaries.sending-limit-exceeded-figures': 'count,email,limit',
  'alerts.summaries.suspicious-sending-figures': 'address,email,minutes,recipients',
  'alerts.summaries.account-locked-figures': 'email,until',
  'alerts.summaries.content-scanner-unavailable-figures': 'since',
  ...Object.fromEntries(ERROR_CODES.map((code) => [`errorHelp.${code}`, ''])),
  'errorHelpWith.USER_NOT_FOUND_user': 'user',
  'errorHelpWith.INVALID_INPUT_range': 'field,max,min',
  'errorHelpWith.INVALID_INPUT_field': 'field',
  'errorHelpWith.WEAK_PASSWORD_minLength': 'minLength',
  'errorHelpWith.ACCOUNT_LOCKED_retry': 'retryAfterMinutes',
  'errorHelpWith.UNBLOCK_LIMIT_REACHED_cap': 'cap,used,windowDays',
};

type AstNode = { type: number; value?: unknown; options?: Record<string, { value: AstNode[] }> };

/** The argument names an ICU message uses ("{email}", "{count, plural, ...}"), sorted, from the parser's AST. */
function argumentsOf(message: string, lng: string): string {
  const names = new Set<string>();
  const walk = (nodes: readonly AstNode[]) => {
    for (const node of nodes) {
      // 0 = literal, 7 = pound (#); every other element names an argument.
      if (node.type !== 0 && node.type !== 7 && typeof node.value === 'string') names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, lng).getAst() as unknown as AstNode[]);
  return [...names].sort().join(',');
}

describe('portal catalogues', () => {
  it('ships the five languages of the contract', () => {
    expect([...LANGUAGES].sort()).toEqual(['en', 'fr', 'nb', 'nl', 'ro']);
  });

  for (const lng of LANGUAGES) {
    describe(lng, () => {
      const cat = catalogues[lng]!;

      it('has every key of en and no extra key', () => {
        const keys = Object.keys(cat).sort();
        const missing = Object.keys(en).filter((k) => !(k in cat));
        const extra = keys.filter((k) => !(k in en));
        expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      });

      it('has no empty value', () => {
        expect(
          Object.entries(cat)
            .filter(([, v]) => v.trim() === '')
            .map(([k]) => k),
        ).toEqual([]);
      });

      it('parses and formats every message as ICU in its own locale', () => {
        const broken: string[] = [];
        for (const [key, message] of Object.entries(cat)) {
          try {
            const out = new IntlMessageFormat(message, lng).format(SAMPLE);
            if (typeof out !== 'string' || out.includes('{') || out.trim() === '')
              broken.push(`${key}: ${String(out)}`);
          } catch (err) {
            broken.push(`${key}: ${(err as Error).message}`);
          }
        }
        expect(broken).toEqual([]);
      });

      it('uses the same arguments as the English message', () => {
        const differ = Object.keys(en).filter(
          (k) => cat[k] !== undefined && argumentsOf(cat[k]!, lng) !== argumentsOf(en[k]!, 'en'),
        );
        expect(differ).toEqual([]);
      });

      it('never translates the example user data', () => {
        // The seeds' machine translation turned "rob" into another name; our messages carry user data only as arguments.
        expect(Object.values(cat).filter((v) => /contoso|\brob\b/i.test(v))).toEqual([]);
      });
    });
  }

  it('has a title for every API error code, alert type and role', () => {
    for (const lng of LANGUAGES) {
      const cat = catalogues[lng]!;
      for (const code of ERROR_CODES) expect(cat[`errors.${code}`], `${lng} errors.${code}`).toBeTruthy();
      for (const type of ALERT_TYPES) expect(cat[`alerts.types.${type}`], `${lng} alerts.types.${type}`).toBeTruthy();
      for (const role of ROLES) expect(cat[`roles.${role}`], `${lng} roles.${role}`).toBeTruthy();
    }
  });

  it("has, in every language, the sentences that replace the server's English ones, with exactly their arguments", () => {
    // Without them a Dutch or French page shows "612 external recipients in the last hour" or an English error.
    const wrong: string[] = [];
    for (const lng of LANGUAGES) {
      const cat = catalogues[lng]!;
      for (const [key, args] of Object.entries(EXPECTED_ARGUMENTS)) {
        if (cat[key] === undefined) wrong.push(`${lng} ${key}: missing`);
        else if (argumentsOf(cat[key]!, lng) !== args)
          wrong.push(`${lng} ${key}: takes {${argumentsOf(cat[key]!, lng)}}, not {${args}}`);
      }
      const extra = Object.keys(cat).filter(
        (k) => /^(evidence|errorHelp|errorHelpWith|alerts\.summaries)\./.test(k) && !(k in EXPECTED_ARGUMENTS),
      );
      wrong.push(...extra.map((k) => `${lng} ${k}: not used by the portal`));
    }
    expect(wrong).toEqual([]);
  });

  it('words the English evidence exactly as the server does, so English users see no change', () => {
    for (const rule of LIMIT_RULES) {
      for (const [count, limit, windowMinutes] of [
        [1, 1, 60],
        [6, 5, 60],
        [612, 500, 30],
      ] as const) {
        const portal = new IntlMessageFormat(en[`evidence.${rule}`]!, 'en').format({ count, limit, windowMinutes });
        expect(portal, rule).toBe(breach(rule, count, limit, windowMinutes).summary);
      }
    }
  });

  it("words the evidence with each language's plural forms", () => {
    const say = (lng: string, rule: LimitRule, count: number, windowMinutes = 60) =>
      new IntlMessageFormat(catalogues[lng]![`evidence.${rule}`]!, lng).format({ count, limit: 500, windowMinutes });
    expect(say('nl', 'external-per-hour', 612)).toBe('612 externe geadresseerden in het afgelopen uur; limiet 500');
    expect(say('nl', 'external-per-hour', 1)).toBe('1 externe geadresseerde in het afgelopen uur; limiet 500');
    expect(say('nl', 'spam-verdicts', 3, 15)).toBe('3 spamoordelen in de afgelopen 15 minuten; limiet 500');
    expect(say('nb', 'external-per-hour', 1)).toBe('1 ekstern mottaker den siste timen; grense 500');
    expect(say('fr', 'external-per-hour', 1)).toBe(
      '1 destinataire externe au cours de la dernière heure\u00a0; limite 500',
    );
    expect(say('fr', 'external-per-hour', 612)).toBe(
      '612 destinataires externes au cours de la dernière heure\u00a0; limite 500',
    );
    // Romanian: "de" from 20 on, but not for 101-119 (CLDR "few").
    expect(say('ro', 'external-per-hour', 1)).toBe('1 destinatar extern în ultima oră; limită 500');
    expect(say('ro', 'external-per-hour', 612)).toBe('612 destinatari externi în ultima oră; limită 500');
    expect(say('ro', 'external-per-hour', 620)).toBe('620 de destinatari externi în ultima oră; limită 500');
    for (const lng of LANGUAGES) {
      if (lng === 'en') continue;
      for (const rule of LIMIT_RULES)
        expect(say(lng, rule, 612), `${lng} ${rule}`).not.toMatch(/in the last|recipient|spam verdict|; limit\s/);
    }
  });

  it("words a custom policy's limits with each language's plural forms, and 0 as no limit", () => {
    const say = (lng: string, key: string, value: number) =>
      new IntlMessageFormat(catalogues[lng]![`customPolicies.limitList.${key}`]!, lng).format({ value });
    expect(say('en', 'externalPerHour', 1)).toBe('1 external recipient per hour');
    expect(say('en', 'externalPerHour', 0)).toBe('External recipients: no limit');
    expect(say('nl', 'perDay', 2000)).toBe('2.000 geadresseerden per dag');
    expect(say('nb', 'externalPerHour', 1)).toBe('1 ekstern mottaker per time');
    expect(say('fr', 'externalPerHour', 0)).toBe('Destinataires externes\u00a0: aucune limite');
    expect(say('ro', 'recipientsPerMessage', 1)).toBe('1 destinatar pe mesaj');
    expect(say('ro', 'recipientsPerMessage', 5)).toBe('5 destinatari pe mesaj');
    expect(say('ro', 'recipientsPerMessage', 100)).toBe('100 de destinatari pe mesaj');
    expect(say('ro', 'messagesPerMinute', 30)).toBe('30 de mesaje pe minut');
  });

  it('uses the product terms of product.md exactly', () => {
    const terms: Record<string, Record<string, string>> = {
      'nav.restrictedUsers': {
        en: 'Restricted users',
        nl: 'Beperkte gebruikers',
        nb: 'Begrensede brukere',
        ro: 'Utilizatori restricționați',
        fr: 'Utilisateurs restreints',
      },
      'actions.unblock': {
        en: 'Unblock',
        nl: 'Blokkering opheffen',
        nb: 'Fjern blokkering',
        ro: 'Deblocare',
        fr: 'Débloquer',
      },
      'actions.resetPassword': {
        en: 'Reset password',
        nl: 'Wachtwoord opnieuw instellen',
        nb: 'Tilbakestill passord',
        ro: 'Resetare parolă',
        fr: 'Réinitialiser le mot de passe',
      },
      'nav.activeUsers': {
        en: 'Active users',
        nl: 'Actieve gebruikers',
        nb: 'Aktive brukere',
        ro: 'Utilizatori activi',
        fr: 'Utilisateurs actifs',
      },
      'actions.editSignInStatus': {
        en: 'Edit sign-in status',
        nl: 'Aanmeldstatus bewerken',
        nb: 'Rediger påloggingsstatus',
        ro: 'Editare stare conectare',
        fr: "Modifier l'état de connexion",
      },
      'common.search': { en: 'Search', nl: 'Zoeken', nb: 'Søk', ro: 'Căutare', fr: 'Rechercher' },
    };
    for (const [key, perLanguage] of Object.entries(terms)) {
      for (const [lng, term] of Object.entries(perLanguage)) expect(catalogues[lng]![key], `${lng} ${key}`).toBe(term);
    }
  });

  it('writes Romanian with comma-below ș/ț, never the cedilla look-alikes ş/ţ', () => {
    expect(Object.values(catalogues['ro']!).filter((v) => /[şţŞŢ]/.test(v))).toEqual([]);
  });
});

describe('portal source', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (full.endsWith('.tsx')) files.push(full);
    }
  };
  walk(appDir);

  it('finds the portal components to scan', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('shows no visible text outside t(): no JSX text, string child or labelling attribute with letters', () => {
    // A raw string in the markup is text a translator never sees. User data and t() results come in
    // through expressions, so JSX text, {'string'} children and literal labels/placeholders are all suspect.
    const labelling = new Set(['aria-label', 'placeholder', 'title', 'alt', 'label', 'hint', 'validationMessage']);
    const offenders: string[] = [];
    for (const file of files) {
      const source = ts.createSourceFile(
        file,
        readFileSync(file, 'utf8'),
        ts.ScriptTarget.Latest,
        true,
        ts.ScriptKind.TSX,
      );
      const report = (node: ts.Node, text: string) => {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        offenders.push(`${path.relative(appDir, file)}:${line + 1} "${text.trim()}"`);
      };
      const visit = (node: ts.Node) => {
        if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) report(node, node.text);
        if (ts.isJsxExpression(node) && node.expression !== undefined && ts.isStringLiteralLike(node.expression)) {
          if (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent)) {
            if (/\p{L}/u.test(node.expression.text)) report(node, node.expression.text);
          }
        }
        if (ts.isJsxAttribute(node) && labelling.has(node.name.getText(source)) && node.initializer !== undefined) {
          const init = node.initializer;
          const literal = ts.isStringLiteral(init)
            ? init
            : ts.isJsxExpression(init) && init.expression && ts.isStringLiteralLike(init.expression)
              ? init.expression
              : null;
          if (literal !== null && /\p{L}/u.test(literal.text)) report(node, literal.text);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offenders).toEqual([]);
  });

  it('uses only keys that exist in the English catalogue (static t() calls)', () => {
    const missing: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
        if (!(match[1]! in en)) missing.push(`${path.relative(appDir, file)}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('audit actions', () => {
  // test/core/audit/audit-actions.test.ts holds AUDIT_ACTIONS to what the server records.
  it.each(LANGUAGES)('%s names every audit action the server records (the Audit log shows no raw action)', (lng) => {
    const catalogue = catalogues[lng]!;
    const missing = AUDIT_ACTIONS.filter((a) => catalogue[`auditAction.${a.replaceAll('.', '_')}`] === undefined);
    expect(missing).toEqual([]);
  });
});

/**
 * Plurals in the portal's five catalogues (issue 16): every message with a plural argument,
 * formatted for 0, 1, 2 and 5 in each language. If this fails, a Norwegian admin reads
 * "1 eksterne", a Romanian one "5 destinatari" where "5 de destinatari" is right, or a French one
 * "0 destinataires" where French takes the singular.
 * No fakes: the real JSON files and the real ICU formatter (intl-messageformat) with the
 * runtime's CLDR plural rules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/adapters/portal/app/i18n/i18n.js';

const i18nDir = fileURLToPath(new URL('../../src/adapters/portal/app/i18n/', import.meta.url));
type Catalogue = { [key: string]: string | Catalogue };

function flat(lng: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: Catalogue, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') out[prefix + key] = value;
      else walk(value, `${prefix}${key}.`);
    }
  };
  walk(JSON.parse(readFileSync(path.join(i18nDir, `${lng}.json`), 'utf8')) as Catalogue, '');
  return out;
}

const catalogues = Object.fromEntries(LANGUAGES.map((l) => [l, flat(l)])) as Record<string, Record<string, string>>;

type MessageFormatElement = ReturnType<IntlMessageFormat['getAst']>[number];
/** The parser's element types (its TYPE enum), as the elements carry them. */
const TYPE = { argument: 1, number: 2, date: 3, select: 5, plural: 6, tag: 8 } as const;

/** Every argument of a message, with the options of each plural one. */
function argumentsOf(message: string): { plurals: Map<string, string[]>; others: Set<string> } {
  const plurals = new Map<string, string[]>();
  const others = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      if (el.type === TYPE.plural) {
        plurals.set(el.value, Object.keys(el.options));
        for (const option of Object.values(el.options)) walk(option.value);
      } else if (el.type === TYPE.select) {
        others.add(el.value);
        for (const option of Object.values(el.options)) walk(option.value);
      } else if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date) {
        others.add(el.value);
      } else if (el.type === TYPE.tag) walk(el.children);
    }
  };
  walk(new IntlMessageFormat(message, 'en').getAst());
  return { plurals, others };
}

const format = (lng: string, key: string, values: Record<string, unknown>) => {
  const message = catalogues[lng]?.[key];
  if (message === undefined) throw new Error(`${lng}: no message ${key}`);
  return new IntlMessageFormat(message, lng).format(values) as string;
};

const COUNTS = [0, 1, 2, 5] as const;
const pluralKeys = Object.keys(catalogues['en']!).filter((k) => argumentsOf(catalogues['en']![k]!).plurals.size > 0);

describe('plural messages in every language', () => {
  it('finds the plural messages (the recent-messages recipient counts among them)', () => {
    expect(pluralKeys).toEqual(
      expect.arrayContaining(['messages.recipientCounts', 'evidence.external-per-hour', 'unblock.confirmBody']),
    );
  });

  it.each(LANGUAGES)('%s: every plural message has a form for each category 0, 1, 2, 5, 20 and 100 fall in', (lng) => {
    const rules = new Intl.PluralRules(lng);
    const needed = [...new Set([0, 1, 2, 5, 20, 100].map((n) => rules.select(n)))];
    const missing: string[] = [];
    for (const key of pluralKeys) {
      for (const [arg, options] of argumentsOf(catalogues[lng]![key]!).plurals) {
        const lacks = needed.filter((category) => !options.includes(category));
        if (lacks.length > 0) missing.push(`${key} {${arg}}: no ${lacks.join(', ')}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each(LANGUAGES)(
    '%s: every plural message formats for 0, 1, 2 and 5 with no placeholder left and the count shown from 2 on',
    (lng) => {
      const problems: string[] = [];
      for (const key of pluralKeys) {
        const { plurals, others } = argumentsOf(catalogues[lng]![key]!);
        for (const n of COUNTS) {
          const values: Record<string, unknown> = {};
          for (const arg of others) values[arg] = 7;
          for (const arg of plurals.keys()) values[arg] = n;
          const text = format(lng, key, values);
          if (text.includes('#') || text.includes('{')) problems.push(`${key} (${n}): ${text}`);
          // 0 and 1 may be said in words ("None", "the last day"); the forms for 2 and 5 show the count.
          if (n > 1 && !new RegExp(`(^|\\D)${n}(\\D|$)`).test(text)) problems.push(`${key} (${n}): ${text}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});

/** The expected words, written out per language, for the messages an admin reads most. */
const EXPECTED: Record<string, Record<string, readonly [string, string, string, string]>> = {
  'messages.recipientCounts': {
    en: [
      '0 internal, 0 external, 0 refused',
      '1 internal, 1 external, 1 refused',
      '2 internal, 2 external, 2 refused',
      '5 internal, 5 external, 5 refused',
    ],
    fr: [
      '0 interne, 0 externe, 0 refusé',
      '1 interne, 1 externe, 1 refusé',
      '2 internes, 2 externes, 2 refusés',
      '5 internes, 5 externes, 5 refusés',
    ],
    nb: [
      '0 interne, 0 eksterne, 0 avviste',
      '1 intern, 1 ekstern, 1 avvist',
      '2 interne, 2 eksterne, 2 avviste',
      '5 interne, 5 eksterne, 5 avviste',
    ],
    nl: [
      '0 intern, 0 extern, 0 geweigerd',
      '1 intern, 1 extern, 1 geweigerd',
      '2 intern, 2 extern, 2 geweigerd',
      '5 intern, 5 extern, 5 geweigerd',
    ],
    ro: [
      '0 interni, 0 externi, 0 refuzați',
      '1 intern, 1 extern, 1 refuzat',
      '2 interni, 2 externi, 2 refuzați',
      '5 interni, 5 externi, 5 refuzați',
    ],
  },
  'evidence.external-per-hour': {
    en: [
      '0 external recipients in the last hour; limit 500',
      '1 external recipient in the last hour; limit 500',
      '2 external recipients in the last hour; limit 500',
      '5 external recipients in the last hour; limit 500',
    ],
    fr: [
      '0 destinataire externe au cours de la dernière heure ; limite 500',
      '1 destinataire externe au cours de la dernière heure ; limite 500',
      '2 destinataires externes au cours de la dernière heure ; limite 500',
      '5 destinataires externes au cours de la dernière heure ; limite 500',
    ],
    nb: [
      '0 eksterne mottakere den siste timen; grense 500',
      '1 ekstern mottaker den siste timen; grense 500',
      '2 eksterne mottakere den siste timen; grense 500',
      '5 eksterne mottakere den siste timen; grense 500',
    ],
    nl: [
      '0 externe geadresseerden in het afgelopen uur; limiet 500',
      '1 externe geadresseerde in het afgelopen uur; limiet 500',
      '2 externe geadresseerden in het afgelopen uur; limiet 500',
      '5 externe geadresseerden in het afgelopen uur; limiet 500',
    ],
    ro: [
      '0 destinatari externi în ultima oră; limită 500',
      '1 destinatar extern în ultima oră; limită 500',
      '2 destinatari externi în ultima oră; limită 500',
      '5 destinatari externi în ultima oră; limită 500',
    ],
  },
  'alerts.attempts': {
    en: ['0 attempts', '1 attempt', '2 attempts', '5 attempts'],
    fr: ['0 tentative', '1 tentative', '2 tentatives', '5 tentatives'],
    nb: ['0 forsøk', '1 forsøk', '2 forsøk', '5 forsøk'],
    nl: ['0 pogingen', '1 poging', '2 pogingen', '5 pogingen'],
    ro: ['0 încercări', '1 încercare', '2 încercări', '5 încercări'],
  },
  'whatIf.moreEvents': {
    en: ['0 more events', '1 more event', '2 more events', '5 more events'],
    fr: ['0 autre événement', '1 autre événement', '2 autres événements', '5 autres événements'],
    nb: ['0 hendelser til', '1 hendelse til', '2 hendelser til', '5 hendelser til'],
    nl: ['nog 0 gebeurtenissen', 'nog 1 gebeurtenis', 'nog 2 gebeurtenissen', 'nog 5 gebeurtenissen'],
    ro: ['încă 0 evenimente', 'încă 1 eveniment', 'încă 2 evenimente', 'încă 5 evenimente'],
  },
};

/** Romanian from 20 on takes "de" ("20 de destinatari"); a count of 5 does not. */
const ROMANIAN_DE: Record<string, string> = {
  'messages.recipientCounts': '20 de interni, 20 de externi, 20 de refuzați',
  'evidence.external-per-hour': '20 de destinatari externi în ultima oră; limită 500',
  'alerts.attempts': '20 de încercări',
  'whatIf.moreEvents': 'încă 20 de evenimente',
};

const valuesFor = (key: string, n: number): Record<string, unknown> =>
  key === 'messages.recipientCounts' ? { internal: n, external: n, refused: n } : { count: n, limit: 500 };

describe('the grammatical forms of the key messages', () => {
  for (const [key, perLanguage] of Object.entries(EXPECTED)) {
    it.each(LANGUAGES)(`${key} in %s for 0, 1, 2 and 5`, (lng) => {
      // French puts a narrow no-break space before ";"; compare with plain spaces.
      const shown = COUNTS.map((n) => format(lng, key, valuesFor(key, n)).replace(/[\u202f\u00a0]/g, ' '));
      expect(shown).toEqual(perLanguage[lng]);
    });
  }

  it.each(Object.entries(ROMANIAN_DE))('ro: %s takes "de" from 20 on', (key, expected) => {
    expect(format('ro', key, valuesFor(key, 20))).toBe(expected);
  });
});

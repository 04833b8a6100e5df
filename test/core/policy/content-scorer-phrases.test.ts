/**
 * The spam-phrase signal against the scorer as it was before issue 14's speed-up (the
 * reference below is that code, verbatim): the same verdict on thousands of generated bodies
 * in all five shipped languages, with the phrases in capitals, without or with decomposed
 * diacritics, split by line breaks, glued inside other words, overlapping, next to emoji and
 * combining marks, and on real-looking mail of 1 KB to 100 KB. Fakes: none (pure).
 */
import { describe, expect, it } from 'vitest';
import type { ScoreSignal } from '../../../src/ports/content-scorer.js';
import { scoreContent, WEIGHTS, type ContentInput } from '../../../src/core/policy/content-scorer.js';
import { SPAM_PHRASES } from '../../../src/core/policy/spam-phrases.js';
import { prng } from '../../support/prng.js';

// --- The reference: content-scorer.ts's phrase matching before the includes pre-check. ---
function referenceFold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ');
}
function referenceEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
const REFERENCE_PHRASES = Object.values(SPAM_PHRASES)
  .flat()
  .map((phrase) => ({
    phrase,
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])${referenceEscape(referenceFold(phrase))}(?![\\p{L}\\p{N}])`, 'gu'),
  }))
  .sort((a, b) => b.phrase.length - a.phrase.length);
function referencePhraseSignal(text: string): ScoreSignal | null {
  let folded = referenceFold(text);
  const found: string[] = [];
  for (const { phrase, pattern } of REFERENCE_PHRASES) {
    pattern.lastIndex = 0;
    if (!pattern.test(folded)) continue;
    found.push(phrase);
    pattern.lastIndex = 0;
    folded = folded.replace(pattern, ' ');
  }
  if (found.length === 0) return null;
  return {
    name: 'spam-phrases',
    score: Math.min(WEIGHTS.spamPhraseMax, WEIGHTS.spamPhrase * found.length),
    detail: `spam phrases: ${found.map((p) => `"${p}"`).join(', ')}`,
  };
}
// --- end of the reference ---

type Language = keyof typeof SPAM_PHRASES;
const LANGUAGES = Object.keys(SPAM_PHRASES) as Language[];

const WORDS: Record<Language, readonly string[]> = {
  en: ['hello', 'team', 'account', 'your', 'verify', 'now', 'prize', 'free', 'the', 'invoice', 'won', 'act'],
  nl: ['hallo', 'uw', 'account', 'wachtwoord', 'prijs', 'gewonnen', 'verifiëren', 'overboeking', 'je', 'heeft'],
  nb: ['hei', 'kontoen', 'din', 'passordet', 'premien', 'vunnet', 'overføring', 'bekreft', 'har', 'du'],
  ro: ['bună', 'contul', 'parola', 'premiul', 'câștigat', 'ați', 'urgent', 'transfer', 'bancar', 'verificați'],
  fr: ['bonjour', 'votre', 'compte', 'gagné', 'vous', 'avez', 'prix', 'virement', 'réclamez', 'mot', 'passe'],
};
const NOISE = [
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  ', ',
  '. ',
  '!',
  '-',
  '_',
  '1',
  'x',
  '😀',
  'é',
  'e\u0301',
  'İ',
  'ß',
  '\u00a0',
];

/** A phrase as a sender might write it: capitals, no or decomposed diacritics, odd spacing. */
function variant(phrase: string, rnd: () => number): string {
  let out = phrase;
  const r = rnd();
  if (r < 0.2) out = out.toUpperCase();
  else if (r < 0.3) out = out.replace(/(^|\s)\p{L}/gu, (m) => m.toUpperCase());
  const marks = rnd();
  if (marks < 0.3) out = out.normalize('NFD').replace(/\p{M}/gu, '');
  else if (marks < 0.5) out = out.normalize('NFD');
  if (rnd() < 0.3)
    out = out.replace(/ /g, () => [' ', '  ', '\n', '\r\n', '\t', '\u00a0'][Math.floor(rnd() * 6)] ?? ' ');
  return out;
}

function body(language: Language, rnd: () => number, parts: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const out: string[] = [];
  for (let i = 0; i < parts; i++) {
    const r = rnd();
    if (r < 0.15) out.push(variant(pick(SPAM_PHRASES[pick(LANGUAGES)]), rnd));
    else if (r < 0.3) out.push(variant(pick(SPAM_PHRASES[language]), rnd));
    else if (r < 0.85) out.push(pick(WORDS[language]));
    else out.push(pick(NOISE));
    // Mostly a separator, sometimes none: phrases then sit inside other words.
    out.push(rnd() < 0.8 ? pick([' ', ' ', '\n', ', ', '. ']) : '');
  }
  return out.join('');
}

const mail = (subject: string | null, text: string): ContentInput => ({
  sender: 'rob@contoso.com',
  recipients: ['jan@fabrikam.com'],
  externalRecipients: 1,
  fromHeader: 'Rob <rob@contoso.com>',
  replyTo: null,
  subject,
  text,
  links: [],
  attachments: [],
  bodyHash: 'a'.repeat(64),
});
const phraseSignal = (subject: string | null, text: string) =>
  scoreContent(mail(subject, text)).signals.find((s) => s.name === 'spam-phrases') ?? null;
const reference = (subject: string | null, text: string) => referencePhraseSignal(`${subject ?? ''}\n${text}`);

describe('spam phrases: the same verdict as the reference scorer', () => {
  it.each(LANGUAGES)('on 1,500 generated %s bodies', (language) => {
    const seed = LANGUAGES.indexOf(language) + 1;
    const rnd = prng(seed);
    let withPhrases = 0;
    let capped = 0;
    for (let i = 0; i < 1500; i++) {
      const subject = rnd() < 0.3 ? body(language, rnd, 4) : rnd() < 0.5 ? null : 'Notes';
      const text = body(language, rnd, 5 + Math.floor(rnd() * 60));
      const expected = reference(subject, text);
      expect(phraseSignal(subject, text), `seed ${seed}, body ${i}: ${JSON.stringify(text)}`).toEqual(expected);
      if (expected !== null) withPhrases += 1;
      if (expected?.score === WEIGHTS.spamPhraseMax) capped += 1;
    }
    // The corpus exercises both outcomes, not only the cheap "no phrase here" path.
    expect(withPhrases).toBeGreaterThan(300);
    expect(capped).toBeGreaterThan(50);
    expect(withPhrases).toBeLessThan(1500);
  });

  it('on real-looking mail of 1 KB to 100 KB, plain and with a phrase at the start, middle and end', () => {
    const paragraphs: Record<Language, string> = {
      en: 'Hello team, here are the notes from this morning about the quarterly planning.\r\nWe agreed to move the review to Thursday.\r\n',
      nl: 'Hallo allemaal, hier zijn de notities van de planning van vanochtend.\r\nDe review is verschoven naar donderdag.\r\n',
      nb: 'Hei alle sammen, her er notatene fra møtet i morges om kvartalsplanen.\r\nGjennomgangen er flyttet til torsdag.\r\n',
      ro: 'Bună ziua, iată notițele de la ședința de planificare de azi-dimineață.\r\nAm mutat revizuirea pe joi.\r\n',
      fr: 'Bonjour à tous, voici les notes de la réunion de planification de ce matin.\r\nLa revue est déplacée à jeudi.\r\n',
    };
    let checked = 0;
    let found = 0;
    for (const language of LANGUAGES) {
      for (const bytes of [1024, 10 * 1024, 100 * 1024]) {
        const plain = paragraphs[language].repeat(Math.ceil(bytes / paragraphs[language].length)).slice(0, bytes);
        const phrase = SPAM_PHRASES[language][checked % SPAM_PHRASES[language].length] ?? '';
        const half = Math.floor(plain.length / 2);
        for (const text of [
          plain,
          `${phrase.toUpperCase()} ${plain}`,
          `${plain.slice(0, half)} ${phrase} ${plain.slice(half)}`,
          `${plain}\r\n${phrase.normalize('NFD')}`,
          `${plain}${phrase}`,
        ]) {
          const expected = reference('Planning notes', text);
          expect(phraseSignal('Planning notes', text)).toEqual(expected);
          checked += 1;
          if (expected !== null) found += 1;
        }
      }
    }
    expect(checked).toBe(75);
    expect(found).toBeGreaterThanOrEqual(45);
  });
});

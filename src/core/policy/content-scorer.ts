import type { ContentScorer, ContentVerdict, MessageFacts, ScoreSignal } from '../../ports/content-scorer.js';
import { SPAM_PHRASES } from './spam-phrases.js';
import { collapseWhitespace } from './whitespace.js';

/**
 * What the built-in scorer reads: the message facts plus state only the submission guard
 * has. `sameBodyCount` = recipients that got this same body from this user in the last hour
 * before this message (a CounterStore count); absent means unknown (no signal).
 */
export interface ContentInput extends MessageFacts {
  readonly sameBodyCount?: number | undefined;
}

/** Hosts of public link shorteners: they hide where a link goes. Subdomains match too. */
export const LINK_SHORTENERS: readonly string[] = [
  'bit.ly',
  'tinyurl.com',
  't.co',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'rb.gy',
  'tiny.cc',
  'v.gd',
  't.ly',
  's.id',
  'bl.ink',
  'lnkd.in',
  'adf.ly',
  'shorte.st',
  'qrco.de',
  'soo.gd',
];

/** Extensions Windows runs (or mounts) on a double-click. */
export const EXECUTABLE_EXTENSIONS: readonly string[] = [
  'exe',
  'scr',
  'js',
  'jse',
  'vbs',
  'vbe',
  'wsf',
  'bat',
  'cmd',
  'com',
  'pif',
  'jar',
  'msi',
  'ps1',
  'hta',
  'iso',
  'img',
  'lnk',
  'cpl',
];

/** What an executable pretends to be in "invoice.pdf.exe". */
const DOCUMENT_EXTENSIONS: readonly string[] = [
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'rtf',
  'txt',
  'csv',
  'jpg',
  'jpeg',
  'png',
  'gif',
  'zip',
  'htm',
  'html',
  'mp3',
  'mp4',
];

/**
 * Weights, on the scale of OutboundPolicy.spamScoreThreshold (default 10): no single weak
 * signal reaches it, an executable attachment nearly does, and a phishing mail (phrase +
 * shortener + Reply-To elsewhere) does.
 */
export const WEIGHTS = {
  externalRecipients: [
    [10, 2],
    [25, 3],
    [50, 4],
    [100, 5],
  ] as const,
  linkShortener: 3,
  linkShortenerMax: 6,
  bareIpLink: 4,
  executableAttachment: 6,
  disguisedExecutable: 8,
  replyToMismatch: 3,
  spamPhrase: 3,
  spamPhraseMax: 9,
  allCapsSubject: 2,
  manyLinks: [
    [10, 2],
    [25, 3],
  ] as const,
  sameBody: [
    [20, 3],
    [100, 5],
  ] as const,
};

/** Scores a message with the built-in signals; the verdict lists them strongest first. */
export function scoreContent(input: ContentInput): ContentVerdict {
  const signals = [
    externalRecipientsSignal(input.externalRecipients),
    ...linkSignals(input.links),
    ...input.attachments.map((a) => attachmentSignal(a.filename)),
    replyToSignal(input.fromHeader, input.replyTo),
    phraseSignal(`${input.subject ?? ''}\n${input.text}`),
    allCapsSignal(input.subject),
    sameBodySignal(input.sameBodyCount),
  ].filter((s): s is ScoreSignal => s !== null);
  signals.sort((a, b) => b.score - a.score);
  const score = Math.round(signals.reduce((sum, s) => sum + s.score, 0) * 10) / 10;
  return { score, signals };
}

/** The built-in scorer behind the ContentScorer port (Rspamd is another adapter). */
export const builtInContentScorer: ContentScorer & { score(input: ContentInput): Promise<ContentVerdict> } = {
  score: async (input: ContentInput) => scoreContent(input),
};

function stepScore(value: number, steps: readonly (readonly [number, number])[]): number {
  let score = 0;
  for (const [atLeast, points] of steps) if (value >= atLeast) score = points;
  return score;
}

function externalRecipientsSignal(count: number): ScoreSignal | null {
  const score = stepScore(count, WEIGHTS.externalRecipients);
  return score === 0
    ? null
    : { name: 'many-external-recipients', score, detail: `${count} external recipients in one message` };
}

function hostOf(link: string): string | null {
  const trimmed = link.trim();
  for (const candidate of [trimmed, `http://${trimmed}`]) {
    try {
      const url = new URL(candidate);
      if (url.hostname !== '') return url.hostname.toLowerCase().replace(/\.$/, '');
    } catch {
      // not a URL in this form; try the next
    }
  }
  return null;
}

function isBareIp(host: string): boolean {
  // URL already turns decimal, octal and hex forms ("http://3232235777/") into dotted IPv4.
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

function linkSignals(links: readonly string[]): ScoreSignal[] {
  const distinct = [...new Set(links.map((l) => l.trim()).filter((l) => l !== ''))];
  const hosts = distinct.map(hostOf).filter((h): h is string => h !== null);
  const signals: ScoreSignal[] = [];
  const shorteners = [...new Set(hosts.filter((h) => LINK_SHORTENERS.some((s) => h === s || h.endsWith(`.${s}`))))];
  if (shorteners.length > 0) {
    signals.push({
      name: 'link-shortener',
      score: Math.min(WEIGHTS.linkShortenerMax, WEIGHTS.linkShortener * shorteners.length),
      detail: `link shortener ${shorteners.join(', ')}`,
    });
  }
  const ips = [...new Set(hosts.filter(isBareIp))];
  if (ips.length > 0)
    signals.push({
      name: 'bare-ip-link',
      score: WEIGHTS.bareIpLink,
      detail: `link to a bare IP address ${ips.join(', ')}`,
    });
  const many = stepScore(distinct.length, WEIGHTS.manyLinks);
  if (many > 0) signals.push({ name: 'many-links', score: many, detail: `${distinct.length} distinct links` });
  return signals;
}

function attachmentSignal(filename: string | null): ScoreSignal | null {
  if (filename === null) return null;
  // Windows ignores trailing dots and spaces; bidi controls (U+202E) make "exe.pdf" show for "fdp.exe".
  const hasBidi = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(filename);
  const name = filename
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .replace(/[. ]+$/, '')
    .toLowerCase();
  const parts = name.split('.');
  const last = parts.length > 1 ? parts[parts.length - 1] : undefined;
  if (last === undefined || !EXECUTABLE_EXTENSIONS.includes(last)) return null;
  const isDisguised = hasBidi || (parts.length > 2 && DOCUMENT_EXTENSIONS.includes(parts[parts.length - 2] ?? ''));
  return isDisguised
    ? {
        name: 'disguised-executable-attachment',
        score: WEIGHTS.disguisedExecutable,
        detail: `executable attachment disguised by a double extension: ${name}`,
      }
    : { name: 'executable-attachment', score: WEIGHTS.executableAttachment, detail: `executable attachment ${name}` };
}

/** The domain of the (last) address in a header such as `"Rob" <rob@contoso.com>`. */
export function headerDomain(header: string | null): string | null {
  if (header === null) return null;
  const bracketed = [...header.matchAll(/<([^<>]*)>/g)].pop()?.[1];
  const address = (bracketed ?? header).trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  const domain = address.slice(at + 1).replace(/[>\s].*$/, '');
  return domain === '' ? null : domain;
}

function replyToSignal(fromHeader: string | null, replyTo: string | null): ScoreSignal | null {
  const from = headerDomain(fromHeader);
  const reply = headerDomain(replyTo);
  if (from === null || reply === null || from === reply) return null;
  return { name: 'reply-to-mismatch', score: WEIGHTS.replyToMismatch, detail: `replies go to ${reply}, not ${from}` };
}

/** Anything outside ASCII: only then can NFD or mark removal change the text. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Lower-cased, diacritics removed, whitespace runs as one space. NFD leaves ASCII as it is and
 * every combining mark is outside ASCII, so pure-ASCII text (most mail bodies) skips both steps.
 */
function fold(text: string): string {
  const plain = NON_ASCII.test(text) ? text.normalize('NFD').replace(/\p{M}/gu, '') : text;
  return collapseWhitespace(plain.toLowerCase());
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

const PHRASES = Object.values(SPAM_PHRASES)
  .flat()
  .map((phrase) => ({
    phrase,
    // What the pattern matches literally (it adds only the word boundaries).
    literal: fold(phrase),
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(fold(phrase))}(?![\\p{L}\\p{N}])`, 'gu'),
  }))
  .sort((a, b) => b.phrase.length - a.phrase.length);

// The one-pass pre-check below looks for each literal in the text as folded, before any match is
// consumed. That finds every phrase the patterns can match later only if consuming a match (it
// becomes one space between two characters that are neither letters nor digits) cannot make a
// new occurrence: true while each literal starts and ends with a letter or digit and has no
// space between two other characters. Checked here, so a new phrase cannot break it unnoticed.
for (const { phrase, literal } of PHRASES) {
  const chars = [...literal];
  const edgesOk = LETTER_OR_NUMBER.test(chars[0] ?? '') && LETTER_OR_NUMBER.test(chars[chars.length - 1] ?? '');
  if (!edgesOk || /[^\p{L}\p{N}] [^\p{L}\p{N}]/u.test(literal))
    throw new Error(`spam phrase "${phrase}" must start and end with a letter or digit`);
}

/** Letters a pattern's start is recognised by: the shortest literal's length, at most 4. */
const PREFIX = Math.min(4, ...PHRASES.map((p) => p.literal.length));
/** Phrase indexes by the first PREFIX UTF-16 units of their literal. */
const BY_PREFIX = new Map<string, number[]>();
PHRASES.forEach(({ literal }, i) => {
  const prefix = literal.slice(0, PREFIX);
  BY_PREFIX.set(prefix, [...(BY_PREFIX.get(prefix) ?? []), i]);
});
/**
 * Where a pattern could start: a prefix, not right after an ASCII letter or digit (any other
 * character before it is left to the pattern's own look-behind). Zero-width, so starts that
 * overlap ("u hent premien") are all seen; the caller steps on by one.
 */
const STARTS = new RegExp(`(?<![a-zA-Z0-9])(?=(${[...BY_PREFIX.keys()].map(escapeRegExp).join('|')}))`, 'g');

/**
 * One scan of the folded text: which phrases' literals occur where their pattern could start.
 * A phrase not marked cannot match, so its (Unicode, look-around) regex need not run.
 */
function candidatePhrases(folded: string): Uint8Array {
  const hit = new Uint8Array(PHRASES.length);
  STARTS.lastIndex = 0;
  for (let m = STARTS.exec(folded); m !== null; m = STARTS.exec(folded)) {
    STARTS.lastIndex = m.index + 1;
    for (const p of BY_PREFIX.get(m[1] ?? '') ?? [])
      if (hit[p] === 0 && folded.startsWith(PHRASES[p]?.literal ?? '', m.index)) hit[p] = 1;
  }
  return hit;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function phraseSignal(text: string): ScoreSignal | null {
  let folded = fold(text);
  const candidates = candidatePhrases(folded);
  const found: string[] = [];
  for (const [i, { phrase, pattern }] of PHRASES.entries()) {
    if (candidates[i] === 0) continue;
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

function allCapsSignal(subject: string | null): ScoreSignal | null {
  if (subject === null) return null;
  const letters = subject.match(/\p{L}/gu) ?? [];
  if (letters.length < 8) return null;
  const upper = letters.filter((l) => /\p{Lu}/u.test(l)).length;
  return upper / letters.length >= 0.8
    ? { name: 'all-caps-subject', score: WEIGHTS.allCapsSubject, detail: 'subject in capitals' }
    : null;
}

function sameBodySignal(count: number | undefined): ScoreSignal | null {
  if (count === undefined) return null;
  const score = stepScore(count, WEIGHTS.sameBody);
  return score === 0
    ? null
    : { name: 'same-body-to-many', score, detail: `the same body went to ${count} recipients in the last hour` };
}

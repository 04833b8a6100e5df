/**
 * A calendar day written in digits the way the portal's language writes it (31.12.2026 in Romanian,
 * 31-12-2026 in Dutch, 12/31/2026 in English). A native `<input type="date">` follows the browser's
 * locale instead, so a Romanian admin in an English browser was shown mm/dd/yyyy.
 */

export type DayPart = 'day' | 'month' | 'year';

/** The order of the parts and the character between them, e.g. ro: day.month.year. */
export interface DayPattern {
  readonly order: readonly DayPart[];
  readonly separator: string;
}

const ISO_PATTERN: DayPattern = { order: ['year', 'month', 'day'], separator: '-' };

function isDayPart(type: string): type is DayPart {
  return type === 'day' || type === 'month' || type === 'year';
}

/** The language's numeric date order, from Intl (the same CLDR data the portal formats dates with). */
export function dayPattern(lng: string): DayPattern {
  const parts = new Intl.DateTimeFormat(lng, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'UTC',
  }).formatToParts(Date.UTC(2026, 11, 31));
  const order = parts.map((p) => p.type).filter(isDayPart);
  const separator = parts.find((p) => p.type === 'literal')?.value ?? '';
  // A language written with words or without a one-character separator gets the ISO order.
  if (order.length !== 3 || new Set(order).size !== 3 || !/^[./-]$/.test(separator)) return ISO_PATTERN;
  return { order, separator };
}

/** yyyy-mm-dd in the pattern ("2026-12-03" -> "03.12.2026"); '' stays ''. */
export function formatDay(day: string, pattern: DayPattern): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (m === null) return '';
  const parts: Record<DayPart, string> = { year: m[1]!, month: m[2]!, day: m[3]! };
  return pattern.order.map((p) => parts[p]).join(pattern.separator);
}

function isoDay(year: number, month: number, day: number): string | null {
  const d = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31.02 over into March: a day that changes on the way is not a date.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * Text typed in the pattern's order as yyyy-mm-dd: '' when empty, null when it is not a date. Any of
 * . / - or a space separates the parts and day and month may have one digit ("3.12.2026"), since
 * people type what they are used to; the year has four digits, so 03.12.26 is refused rather than
 * guessed. yyyy-mm-dd is accepted in every language (pasted from an export).
 */
export function parseDay(text: string, pattern: DayPattern): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  if (iso !== null) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const groups = trimmed.split(/\s*[./\- ]\s*/);
  if (groups.length !== 3 || groups.some((g) => !/^\d+$/.test(g))) return null;
  const value: Partial<Record<DayPart, string>> = {};
  pattern.order.forEach((p, i) => (value[p] = groups[i]));
  const { year = '', month = '', day = '' } = value;
  if (year.length !== 4 || month.length > 2 || day.length > 2) return null;
  return isoDay(Number(year), Number(month), Number(day));
}

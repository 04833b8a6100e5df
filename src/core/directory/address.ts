import { DomainError } from '../errors.js';
import { toALabels } from './punycode.js';

// Deliberately stricter than RFC 5321: a submission gateway for an organisation's own
// users has no business with quoted local parts or address literals. RFC 6531 (SMTPUTF8):
// a local part may hold UTF-8 letters, digits and marks beyond ASCII, never controls,
// spaces or symbols that could confuse a reader.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~\p{L}\p{M}\p{N}-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~\p{L}\p{M}\p{N}-]+)*$/u;
/** LOCAL for a lower-cased ASCII local part: the same matches (in ASCII, \p{L} and \p{N} are letters and digits, \p{M} is empty). */
const ASCII_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Length in UTF-8 bytes (RFC 5321 limits are in octets). */
function utf8Length(text: string): number {
  let n = 0;
  for (const c of text) {
    const cp = c.codePointAt(0) as number;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Normalises an address: trimmed, NFC (RFC 6532 section 3.1), lower case, and the domain in
 * its A-label form (`rob@bücher.example` -> `rob@xn--bcher-kva.example`), so an IDN domain and
 * its punycode compare equal and a lookalike does not. Returns null unless it is a plain
 * `local@domain.tld`; the local part may be UTF-8.
 */
export function parseAddress(input: string): string | null {
  const trimmed = input.trim();
  // Plain ASCII (nearly every address) needs neither NFC nor A-labels.
  const isAscii = !/[^\x20-\x7e]/.test(trimmed);
  if (isAscii) return parseAsciiAddress(trimmed.toLowerCase());
  const value = trimmed.normalize('NFC').toLowerCase();
  if (utf8Length(value) > 254) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || utf8Length(value.slice(0, at)) > 64) return null;
  const local = value.slice(0, at);
  let domain: string;
  try {
    domain = toALabels(value.slice(at + 1));
  } catch {
    return null;
  }
  return LOCAL.test(local) && DOMAIN.test(domain) ? `${local}@${domain}` : null;
}

/**
 * parseAddress for a trimmed, lower-cased, printable-ASCII value: one byte a character, no NFC,
 * no A-labels, and `local@domain` is the value itself. The policy service parses about four
 * addresses a request; this path is what they take.
 */
function parseAsciiAddress(value: string): string | null {
  if (value.length > 254) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return null;
  return ASCII_LOCAL.test(value.slice(0, at)) && DOMAIN.test(value.slice(at + 1)) ? value : null;
}

/** Like parseAddress, but throws INVALID_EMAIL with a sentence naming the bad value. */
export function normalizeAddress(input: string, field = 'email'): string {
  const value = parseAddress(input);
  if (value === null) {
    throw new DomainError('INVALID_EMAIL', `"${input}" is not a valid email address (${field}).`, {
      details: { field },
    });
  }
  return value;
}

/** The domain part of a normalised address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

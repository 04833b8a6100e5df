import { parseAddress } from './address.js';
import type { User } from './user.js';

/**
 * True when `address` (already normalised by parseAddress) is the user's own address or one of
 * their aliases: the one Send As rule, used for MAIL FROM and for the header From and Sender.
 */
export function canSendAs(user: Pick<User, 'email' | 'aliases'>, address: string): boolean {
  if (address === '') return false;
  const own = parseAddress(user.email);
  return own === address || user.aliases.some((a) => parseAddress(a) === address);
}

/** Removes quoted strings and (nested) comments, which may hold anything, including `<`, `,` and `@`. */
function stripQuotedAndComments(value: string): string | null {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i] as string;
    if (c === '\\' && (quoted || depth > 0)) {
      i += 1;
      continue;
    }
    if (quoted) {
      if (c === '"') {
        quoted = false;
        out += '""';
      }
    } else if (depth > 0) {
      if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth = 1;
    else out += c;
  }
  return quoted || depth > 0 ? null : out;
}

/**
 * The addresses of one From or Sender header value (RFC 5322 section 3.4), or null when it
 * cannot be read with certainty. Display names, quoted or RFC 2047 encoded, are never
 * decoded: an encoded word is not allowed inside an address (RFC 2047 section 5), so a value
 * whose address is only visible after decoding is unreadable. Group syntax contributes its
 * members; an empty group contributes none.
 */
export function headerAddresses(value: string): readonly string[] | null {
  const text = stripQuotedAndComments(value.replace(/\r?\n(?=[ \t])/g, ''));
  if (text === null) return null;
  // "Friends: a@x, b@y;" -> "a@x, b@y,"
  const flat = text
    .replace(/^[^<>,@]*:/, '')
    .replace(/,[^<>,@]*:/g, ',')
    .replace(/;/g, ',');
  const out: string[] = [];
  for (const part of flat.split(',')) {
    const piece = part.trim();
    if (piece === '') continue;
    const angle = /<([^<>]*)>\s*$/.exec(piece);
    const raw = angle ? angle[1] : piece;
    if (raw === undefined || (!angle && /[<>\s]/.test(piece))) return null;
    if (angle && /[<>]/.test(piece.slice(0, angle.index))) return null;
    const address = parseAddress(raw);
    if (address === null) return null;
    out.push(address);
  }
  return out;
}

/** Why the header senders are not the user's, or null when they are (every From address, and Sender when present). */
export function sendAsProblem(
  user: Pick<User, 'email' | 'aliases'>,
  headers: { readonly from: readonly string[]; readonly sender: readonly string[] },
): string | null {
  if (headers.from.length > 1) return 'the message has more than one From header';
  if (headers.sender.length > 1) return 'the message has more than one Sender header';
  for (const [name, values] of [
    ['From', headers.from],
    ['Sender', headers.sender],
  ] as const) {
    const value = values[0];
    if (value === undefined) continue;
    const addresses = headerAddresses(value);
    if (addresses === null) return `the ${name} header cannot be read with certainty`;
    if (addresses.length === 0) return `the ${name} header names no address`;
    const foreign = addresses.find((a) => !canSendAs(user, a));
    if (foreign !== undefined) return `${foreign} in the ${name} header is not an address of ${user.email}`;
  }
  return null;
}

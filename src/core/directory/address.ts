import { DomainError } from '../errors.js';

// Deliberately stricter than RFC 5321: a submission gateway for an organisation's own
// users has no business with quoted local parts or address literals.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Lower-cases and trims an address; returns null unless it is a plain `local@domain.tld`. */
export function parseAddress(input: string): string | null {
  const value = input.trim().toLowerCase();
  if (value.length > 254) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return null;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return LOCAL.test(local) && DOMAIN.test(domain) ? value : null;
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

import { DomainError } from '../../core/errors.js';

/** SENDWARDEN_RELAY parsed: where the next hop is, TLS from the start or not, optional credentials. */
export interface RelayUrl {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
}

/** `smtp://[user:pass@]host[:port]` (port 25) or `smtps://...` (port 465); anything else is CONFIG_INVALID. */
export function parseRelayUrl(url: string): RelayUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new DomainError('CONFIG_INVALID', `SENDWARDEN_RELAY "${url}" is not a URL like smtp://host:port.`, {
      cause: err,
    });
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new DomainError(
      'CONFIG_INVALID',
      `SENDWARDEN_RELAY must start with smtp:// or smtps://, not ${parsed.protocol}//.`,
    );
  }
  const secure = parsed.protocol === 'smtps:';
  const user = decodeURIComponent(parsed.username);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? (secure ? 465 : 25) : Number(parsed.port),
    secure,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(parsed.password) } }),
  };
}

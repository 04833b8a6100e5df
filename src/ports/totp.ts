/**
 * Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s steps), the second factor
 * of admins and of anyone who enrolled. Secrets are base32 text.
 */
export interface Totp {
  /** A new random secret (160 bits, RFC 4226 section 4 recommends at least 128). */
  generateSecret(): string;
  /**
   * A secret derived from `seed` with a server key (HMAC), so an enrolment in progress needs no
   * stored state: the same seed gives the same secret on every node, and nobody without the key can
   * compute it.
   */
  deriveSecret(seed: string): string;
  /**
   * The time step (counter) the code matches at `at`, accepting one step of clock drift either
   * way, or null when it matches none. Callers keep the last accepted step to refuse replays.
   */
  verify(secret: string, code: string, at: Date): number | null;
  /** The otpauth:// URI an authenticator app scans (issuer "Sendwarden", label = the account). */
  keyUri(secret: string, account: string): string;
}

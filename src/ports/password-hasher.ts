/** Password hashing (argon2id, PHC strings) and keyed fingerprints. */
export interface PasswordHasher {
  /** A PHC string, `$argon2id$v=19$m=...`, that Dovecot's ARGON2ID scheme can verify. */
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches the PHC string. Constant time in the password. An empty `phc`
   * returns false after the same work as a real verification (unknown users cost the same).
   */
  verify(phc: string, password: string): Promise<boolean>;
  /**
   * A short keyed fingerprint (HMAC with a server secret) of a wrong password, so a retry of
   * the same wrong password can be recognised without keeping anything guessable offline.
   */
  fingerprint(userId: string, password: string): string;
}

/** Password strength estimate (zxcvbn-ts). */
export interface PasswordStrength {
  /** 0 (guessable) to 4 (very strong), with a hint in English for the error message. */
  check(password: string, userInputs: readonly string[]): { score: 0 | 1 | 2 | 3 | 4; warning: string | null };
}

/** SHA-256 hex of a text; for token and code hashes and the audit chain. */
export type Sha256 = (text: string) => string;

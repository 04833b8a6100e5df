/** Randomness from a cryptographically secure source. */
export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A random RFC 4122 v4 UUID. */
  uuid(): string;
}

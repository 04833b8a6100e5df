/** Who did something: a signed-in admin, an API token, the CLI operator, or the system itself. */
export interface Actor {
  readonly kind: 'user' | 'token' | 'cli' | 'system';
  /** User id, token id, OS user name, or "system". */
  readonly id: string;
  /** Email of the acting user, when there is one; shown in the audit log. */
  readonly label: string;
  /** Client address (IP) the action came from, when known. */
  readonly address?: string | undefined;
}

/** The system actor used for automatic actions (auto-release, restriction by policy). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ kind: 'system', id: 'system', label: 'Sendwarden' });

/**
 * What happened, before it is chained. `before` and `after` hold the changed fields only
 * and never a secret (no password, hash, token, code or TOTP secret).
 */
export interface AuditEventInput {
  readonly at: Date;
  readonly actor: Actor;
  /** Dotted verb, e.g. "user.password-reset", "restriction.unblocked". */
  readonly action: string;
  /** What was acted on, e.g. "user:rob@contoso.com". */
  readonly target: string;
  readonly before?: Readonly<Record<string, unknown>> | undefined;
  readonly after?: Readonly<Record<string, unknown>> | undefined;
}

/** A stored, chained audit entry. `hash` = chainHash(prevHash, entry). */
export interface AuditEntry extends AuditEventInput {
  /** 1, 2, 3 ... in append order. */
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /**
   * Id of the key whose HMAC is `hash` (see chain.ts `chainKeyId`); absent on the plain SHA-256
   * entries written before schema 5, which only a keyed transition entry may follow.
   */
  readonly keyId?: string | undefined;
}

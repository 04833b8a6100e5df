import type { ErrorCode } from '../../core/errors.js';
import type { User } from '../../core/directory/user.js';
import type { MessageRecord } from '../../core/sending/message-record.js';
import type { SubmissionGuard } from '../../core/sending/submission-port.js';
import type { EvidenceCandidate } from '../../core/evidence/evidence-service.js';
import type { Clock } from '../../ports/clock.js';
import type { MessageScanner } from '../../ports/content-scorer.js';
import type { Relay, RelayTransaction } from '../../ports/relay.js';

/** The part of pino the gateway uses. */
export interface SmtpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the gateway needs from the rest of the application, one by one. */
export interface SmtpGatewayDeps {
  /**
   * Checks a login (address, alias or app password) and returns the user. Throws DomainError
   * AUTH_FAILED | SIGN_IN_BLOCKED | ACCOUNT_LOCKED | STORE_UNAVAILABLE ...
   */
  authenticate(login: string, password: string, clientAddress: string): Promise<User>;
  guard: SubmissionGuard;
  relay: Relay;
  /** The external content scanner (Rspamd), when configured: its result goes to guard.checkMessage. */
  scanner?: MessageScanner | undefined;
  /** One line per message (accepted or refused); batching is the caller's. Must not throw. */
  recordMessage(record: MessageRecord): void;
  /**
   * EvidenceService.keep: a refused message that may count as evidence (the core decides); awaited
   * before the reply, so the flyout shows it at once; a failure is logged and never changes the reply.
   */
  keepEvidence?: ((candidate: EvidenceCandidate) => Promise<unknown>) | undefined;
  logger: SmtpLogger;
  clock: Clock;
  /**
   * The lower-case domains the user's organisation accepts (recipients there are "internal").
   * Default: the domains of the user's address and aliases.
   */
  acceptedDomains?: (user: User) => Promise<readonly string[]>;
}

/** Why the last recipient of a transaction was refused. */
export interface Refusal {
  readonly kind: 'defer' | 'reject' | 'restrict';
  readonly code: ErrorCode;
  readonly reason: string;
}

/** One mail transaction (MAIL FROM up to the end of DATA). */
export interface Transaction {
  readonly mailFrom: string;
  readonly accepted: string[];
  refused: number;
  /** Recipients the guard refused, inside the accepted domains (the what-if replay offers them again). */
  refusedInternal: number;
  /** Recipients the guard refused, outside the accepted domains. */
  refusedExternal: number;
  refusal: Refusal | null;
  /** The open transaction at the next hop (from MAIL FROM until DATA ends or the transaction is abandoned). */
  hop: RelayTransaction | null;
}

/** Fair share per connection and per client address (contract.md, configuration). */
export interface SessionLimits {
  /** Concurrent connections from one address; one more gets 421 4.7.0. */
  readonly maxClientsPerIp: number;
  /** A whole session, ms; then 421 4.4.2. */
  readonly sessionTimeoutMs: number;
  /** Failed AUTH per connection; the next AUTH gets 421 4.7.0. */
  readonly maxAuthFailures: number;
  /** Unknown commands and NUL lines per session; the next gets 421 4.7.0. */
  readonly maxBadCommands: number;
}

/** What the gateway knows about one connection. */
export interface SessionState {
  readonly clientAddress: string;
  authFailures: number;
  /** Stops the session deadline (set once the connection guard is armed). */
  stopGuard: () => void;
  user: User | null;
  internalDomains: readonly string[];
  transaction: Transaction | null;
}

/** Shared by the phase handlers of one gateway. */
export interface GatewayContext {
  readonly deps: SmtpGatewayDeps;
  readonly maxMessageBytes: number;
  readonly allowPlainAuthOnLoopback: boolean;
  readonly sessions: Map<string, SessionState>;
  readonly limits: SessionLimits;
  /** SENDWARDEN_HOSTNAME, for the Received header and Message-ID. */
  readonly hostname: string;
}

import type { AlertDelivery } from '../core/alerts/alert-delivery.js';
import type { Alert, AlertType } from '../core/alerts/alert.js';
import type { AuditEntry, AuditEventInput } from '../core/audit/audit-event.js';
import type { ApiToken, ResetCode, Session } from '../core/auth/credentials.js';
import type { AppPassword, Organisation, Sender, User } from '../core/directory/user.js';
import type { OutboundPolicy } from '../core/policy/outbound-policy.js';
import type { Restriction } from '../core/restrictions/restriction.js';
import type { MessageRecord } from '../core/sending/message-record.js';

/** A page of results and the total number that matched. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** Search and filters of the Active users list. */
export interface UserQuery {
  /** Case-insensitive substring of email, display name or alias (see core/directory/search.ts). */
  readonly search?: string | undefined;
  readonly signInBlocked?: boolean | undefined;
  /** Users locked out at `now` (either counter's lockedUntil after now). */
  readonly lockedAt?: Date | undefined;
  /** Users with an active restriction at this time. */
  readonly restrictedAt?: Date | undefined;
  readonly role?: string | undefined;
  readonly offset?: number | undefined;
  /** Default 50, at most 500. */
  readonly limit?: number | undefined;
}

/** Users and their addresses. Addresses (email and aliases) are unique across all users. */
export interface UserStore {
  /** Throws DomainError USER_EXISTS when the email or an alias is taken. */
  insert(user: User): Promise<void>;
  /**
   * Inserts many users (the CSV import), all or nothing per call. Throws USER_EXISTS naming
   * the first address, in input order, that is taken or listed twice.
   */
  insertMany(users: readonly User[]): Promise<void>;
  /** Replaces the stored user with the same id. Throws USER_EXISTS on an address clash, USER_NOT_FOUND if gone. */
  update(user: User): Promise<void>;
  /** Removes the user and everything that belongs to them (app passwords, sessions, reset codes). */
  delete(id: string): Promise<void>;
  findById(id: string): Promise<User | undefined>;
  /** By email or alias, case-insensitive. */
  findByAddress(address: string): Promise<User | undefined>;
  /** Ordered by email. */
  list(query: UserQuery): Promise<Page<User>>;
  /** Which of these (normalised) addresses are already taken, as email or alias. */
  takenAddresses(addresses: readonly string[]): Promise<Set<string>>;
  count(): Promise<number>;
}

/** Organisations and their accepted domains; a domain belongs to at most one organisation. */
export interface OrgStore {
  insert(org: Organisation): Promise<void>;
  update(org: Organisation): Promise<void>;
  findById(id: string): Promise<Organisation | undefined>;
  /** The organisation that accepts this domain. */
  findByDomain(domain: string): Promise<Organisation | undefined>;
  list(): Promise<readonly Organisation[]>;
}

/** A user's app passwords (for SMTP AUTH), stored as hashes, never as text. */
export interface AppPasswordStore {
  insert(appPassword: AppPassword): Promise<void>;
  listByUser(userId: string): Promise<readonly AppPassword[]>;
  touch(id: string, at: Date): Promise<void>;
  delete(id: string): Promise<void>;
  /** Returns how many were revoked. */
  deleteAllForUser(userId: string): Promise<number>;
}

/** Restriction history per user; at most one active restriction per user at a time. */
export interface RestrictionStore {
  insert(r: Restriction): Promise<void>;
  update(r: Restriction): Promise<void>;
  findById(id: string): Promise<Restriction | undefined>;
  /** The newest restriction with releasedAt null (it may be past its releaseAt). */
  findOpenByUser(userId: string): Promise<Restriction | undefined>;
  /** Open restrictions (releasedAt null), optionally filtered by the user's address/name search text, newest first. */
  listOpen(search?: string): Promise<readonly { restriction: Restriction; user: User }[]>;
  /** Open restrictions whose releaseAt is at or before `now`: due for automatic release. */
  listDue(now: Date): Promise<readonly Restriction[]>;
  /** How many admin unblocks the user had since `since`. */
  countUnblocksSince(userId: string, since: Date): Promise<number>;
  /** All restrictions of a user, newest first. */
  listByUser(userId: string): Promise<readonly Restriction[]>;
}

/** Filters of the audit log. */
export interface AuditQuery {
  readonly action?: string | undefined;
  readonly actor?: string | undefined;
  /** A user's email: entries they did (actor) or that were done to them (target "user:<email>"); exact, indexed. */
  readonly user?: string | undefined;
  readonly target?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
}

/** The newest entry of the audit log, as a checkpoint needs it. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
  /** Absent while the newest entry is a plain SHA-256 one (the log is not sealed yet). */
  readonly keyId?: string | undefined;
}

/** Append-only, keyed hash-chained audit log. There is no update and no delete (the database refuses them). */
export interface AuditLog {
  /**
   * Appends under a lock so the chain never forks (one sequence across every node); computes seq,
   * prevHash and the keyed hash with core/audit/chain.ts. When the head is a plain SHA-256 entry
   * (a store migrated from schema 3), the keyed transition entry goes first, in the same lock.
   */
  append(event: AuditEventInput): Promise<AuditEntry>;
  /** Writes the keyed transition entry if the head is a plain SHA-256 entry; returns it, or undefined. */
  seal(at: Date): Promise<AuditEntry | undefined>;
  /** The newest entry's seq and hash; undefined when the log is empty. */
  head(): Promise<AuditHead | undefined>;
  /** The stored hash of entry `seq`, or undefined when there is no such entry. */
  hashAt(seq: number): Promise<string | undefined>;
  /** Newest first. */
  list(query: AuditQuery): Promise<Page<AuditEntry>>;
  /** Every entry in seq order (from `since` on, when given), for verification and export. */
  all(since?: Date): AsyncIterable<AuditEntry>;
}

/** Outbound policies: the default one and custom ones scoped to users or groups. */
export interface PolicyStore {
  /** The default policy; created by the first migration run (see core defaultPolicy). */
  getDefault(): Promise<OutboundPolicy | undefined>;
  /** All policies, by priority (default last). */
  list(): Promise<readonly OutboundPolicy[]>;
  /** Insert or replace by id. */
  save(policy: OutboundPolicy): Promise<void>;
  delete(id: string): Promise<void>;
}

/** API tokens, stored by id with a hash of the secret; revoked tokens stay, marked revoked. */
export interface TokenStore {
  insert(token: ApiToken): Promise<void>;
  findById(id: string): Promise<ApiToken | undefined>;
  list(): Promise<readonly ApiToken[]>;
  update(token: ApiToken): Promise<void>;
}

/** Portal sessions, stored by id with a hash of the cookie secret; revoked sessions stay, marked revoked. */
export interface SessionStore {
  insert(session: Session): Promise<void>;
  findById(id: string): Promise<Session | undefined>;
  update(session: Session): Promise<void>;
  listByUser(userId: string): Promise<readonly Session[]>;
  /** Marks every live session of the user revoked; returns how many. */
  revokeAllForUser(userId: string, at: Date): Promise<number>;
}

/** Self-service reset codes, stored as keyed hashes with their expiry and attempt count. */
export interface ResetCodeStore {
  insert(code: ResetCode): Promise<void>;
  /** The newest unused code of the user. */
  findLatestUnused(userId: string): Promise<ResetCode | undefined>;
  update(code: ResetCode): Promise<void>;
  /** How many codes were created for the user since `since` (send rate limit). */
  countSince(userId: string, since: Date): Promise<number>;
}

/** Filters and paging of the alert list; limit defaults to 50 and is at most 500. */
export interface AlertQuery {
  readonly type?: AlertType | undefined;
  readonly open?: boolean | undefined;
  readonly userId?: string | undefined;
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
}

/** Alerts raised by the core, kept after they are resolved. */
export interface AlertStore {
  insert(alert: Alert): Promise<void>;
  findById(id: string): Promise<Alert | undefined>;
  update(alert: Alert): Promise<void>;
  /** Newest first. */
  list(query: AlertQuery): Promise<Page<Alert>>;
}

/**
 * The alert outbox: one row per alert and channel, written with the alert, delivered by a running
 * server. A claimed row is leased to one node until `claimedUntil`; no other node claims it before.
 */
export interface AlertDeliveryStore {
  insertMany(deliveries: readonly AlertDelivery[]): Promise<void>;
  /**
   * Leases up to `limit` pending deliveries due at `now` (nextAttemptAt <= now, no live lease)
   * until `leaseUntil` and returns them, oldest due first. Two nodes never get the same row
   * (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer).
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<readonly AlertDelivery[]>;
  update(delivery: AlertDelivery): Promise<void>;
  /** Every delivery of the given alerts, in creation order. */
  listForAlerts(alertIds: readonly string[]): Promise<readonly AlertDelivery[]>;
}

/** Filters and paging of the message log; limit defaults to 50 and is at most 500. */
export interface MessageQuery {
  readonly userId?: string | undefined;
  readonly since?: Date | undefined;
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
}

/** Message log; written in batches by the gateway, pruned after the retention period. */
export interface MessageLog {
  insertMany(records: readonly MessageRecord[]): Promise<void>;
  /** Newest first. */
  list(query: MessageQuery): Promise<Page<MessageRecord>>;
  /** Per-hour counts by outcome since `since`, for the Home chart. */
  hourlyCounts(since: Date): Promise<readonly { hour: Date; outcome: string; count: number }[]>;
  /** Senders by message count since `since`. */
  topSenders(since: Date, limit: number): Promise<readonly { sender: string; count: number }[]>;
  /** Deletes records older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

/** Every store, bound to one transaction (or to none, outside `UnitOfWork.run`). */
export interface Stores {
  readonly users: UserStore;
  readonly orgs: OrgStore;
  readonly appPasswords: AppPasswordStore;
  readonly restrictions: RestrictionStore;
  readonly audit: AuditLog;
  readonly policies: PolicyStore;
  readonly tokens: TokenStore;
  readonly sessions: SessionStore;
  readonly resetCodes: ResetCodeStore;
  readonly alerts: AlertStore;
  readonly alertDeliveries: AlertDeliveryStore;
  readonly messages: MessageLog;
  /** What the submission guard reads per SMTP command, in one round trip (see SendingStateStore). */
  readonly sendingState: SendingStateStore;
}

/** What the submission guard needs to know about a user at MAIL FROM, RCPT TO and DATA. */
export interface SendingState {
  /** The newest restriction with releasedAt null (it may be past its releaseAt), as findOpenByUser. */
  readonly open: Restriction | undefined;
  /** releasedAt of the newest restriction released by an admin's unblock (null: never), as listByUser would give. */
  readonly lastUnblockAt: Date | null;
  /** Every outbound policy, as PolicyStore.list. */
  readonly policies: readonly OutboundPolicy[];
  /** The accepted domains of the organisation (none when it does not exist), as OrgStore.findById. */
  readonly orgDomains: readonly string[];
}

/**
 * The guard's per-command read in one store round trip, outside any transaction. It may keep
 * the policies and domains between calls only while it can tell exactly, on every call, that
 * nothing was committed since (by this process or any other); otherwise it reads them afresh.
 */
export interface SendingStateStore {
  read(userId: string, orgId: string): Promise<SendingState>;
  /**
   * The sending facts of the user a login (an address or alias, any case) names, or undefined:
   * the Postfix policy service's lookup at every request. Kept between calls under the same rule
   * as `read` (any write to users or addresses, here or elsewhere, is seen by the next call).
   */
  sender(login: string): Promise<Sender | undefined>;
}

/**
 * Runs `work` in one transaction: everything it writes (a state change and its audit
 * event) commits together or not at all. Infrastructure failures surface as
 * DomainError STORE_UNAVAILABLE.
 */
export interface UnitOfWork {
  run<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
}

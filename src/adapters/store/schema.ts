import type { ColumnType, Kysely } from 'kysely';

/**
 * Times are stored as epoch milliseconds in a bigint column on both dialects, so they
 * round-trip as Date with millisecond precision and hour buckets are plain arithmetic.
 * PostgreSQL's driver reads bigint back as a string, hence the select type.
 */
export type Millis = ColumnType<number | string, number, number>;
export type NullableMillis = ColumnType<number | string | null, number | null, number | null>;
/** Booleans are 0/1 integers on both dialects. */
export type Flag = number;
/** JSON is stored as text on both dialects: the store never queries inside it. */
export type Json = string;

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  /** JavaScript's toLowerCase of display_name, so search matches core/directory/search.ts exactly. */
  display_name_lower: string;
  groups: Json;
  roles: Json;
  password_hash: string | null;
  password_history: Json;
  must_change_password: Flag;
  sign_in_blocked: Flag;
  lockout: Json;
  /** The later lockedUntil of both lockout counters, for the "locked" filter. */
  locked_until: NullableMillis;
  alternate_email: string | null;
  totp_secret: string | null;
  totp_deadline: NullableMillis;
  totp_last_step: number | string | null;
  created_at: Millis;
  last_sign_in_at: NullableMillis;
  security_epoch: number;
  /** The language of the user's email (en, fr, nb, nl, ro), or null: the organisation default. */
  language: string | null;
  /** The IANA time zone of the user's email, or null: the organisation default. */
  time_zone: string | null;
}

export interface AddressesTable {
  address: string;
  user_id: string;
  kind: 'primary' | 'alias';
  position: number;
}

export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: Millis;
}

export interface OrgDomainsTable {
  domain: string;
  org_id: string;
  position: number;
}

export interface AppPasswordsTable {
  id: string;
  user_id: string;
  name: string;
  hash: string;
  created_at: Millis;
  last_used_at: NullableMillis;
}

export interface RestrictionsTable {
  id: string;
  user_id: string;
  kind: string;
  evidence: Json;
  restricted_at: Millis;
  release_at: NullableMillis;
  released_at: NullableMillis;
  released_by: string | null;
  release_kind: string | null;
  steps_done: Json;
}

export interface AuditLogTable {
  seq: number;
  at: Millis;
  actor: Json;
  actor_id: string;
  actor_label: string;
  action: string;
  target: string;
  before: Json | null;
  after: Json | null;
  prev_hash: string;
  hash: string;
  /** Id of the HMAC key (schema 5); null on plain SHA-256 entries written before. */
  key_id: string | null;
}

export interface PoliciesTable {
  id: string;
  name: string;
  is_default: Flag;
  priority: ColumnType<number | string, number, number>;
  /** Every field of OutboundPolicy except the columns id, name, is_default, priority and updated_at. */
  body: Json;
  updated_at: Millis;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: Millis;
  expires_at: NullableMillis;
  revoked_at: NullableMillis;
  last_used_at: NullableMillis;
  created_by: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  hash: string;
  epoch: number;
  created_at: Millis;
  last_seen_at: Millis;
  expires_at: Millis;
  revoked_at: NullableMillis;
  mfa_done: Flag;
  address: string | null;
  user_agent: string | null;
}

export interface ResetCodesTable {
  id: string;
  user_id: string;
  hash: string;
  created_at: Millis;
  expires_at: Millis;
  attempts: number;
  used_at: NullableMillis;
}

export interface AlertsTable {
  id: string;
  type: string;
  severity: string;
  title: string;
  user_id: string | null;
  user_email: string | null;
  summary: string;
  details: Json;
  created_at: Millis;
  resolved_at: NullableMillis;
  resolved_by: string | null;
}

export interface AlertDeliveriesTable {
  id: string;
  alert_id: string;
  channel: string;
  status: string;
  attempts: number;
  next_attempt_at: Millis;
  claimed_until: NullableMillis;
  last_error: string | null;
  created_at: Millis;
  sent_at: NullableMillis;
}

export interface MessageLogTable {
  id: string;
  at: Millis;
  user_id: string | null;
  sender: string;
  recipients_internal: number;
  recipients_external: number;
  recipients_refused: number;
  /** Schema 6: recipients the policy engine refused, by kind; null on older rows. */
  refused_internal: number | null;
  refused_external: number | null;
  size: number;
  subject: string | null;
  spam_score: number | null;
  is_spam: Flag;
  outcome: string;
  reason_code: string | null;
  reason: string | null;
  next_hop_reply: string | null;
  client_address: string | null;
  scanner: string | null;
  scanner_action: string | null;
  scanner_score: number | null;
  scanner_symbols: string | null;
  spam_by: string | null;
  /** Schema 8: the first recipients, a JSON array; null on older rows. */
  recipients: Json | null;
}

/** Schema 8: messages kept as evidence, encrypted (adapters/store/evidence-cipher.ts). */
export interface EvidenceMessagesTable {
  id: string;
  user_id: string;
  at: Millis;
  kind: string;
  recipient_count: number;
  spam_score: number;
  /** Comma-separated scorers ("builtin,rspamd"). */
  spam_by: string;
  /** The scanner's verdict as JSON (name, action, score, symbols), or null. */
  scanner: Json | null;
  size: number | string;
  truncated: Flag;
  /** base64 of the sealed JSON { subject, recipients, reason }. */
  summary: string;
  /** base64 of the sealed kept bytes. */
  body: string;
}

export interface SchemaVersionTable {
  version: number;
  name: string;
  applied_at: Millis;
}

/** The whole schema as Kysely sees it. */
export interface Database {
  users: UsersTable;
  addresses: AddressesTable;
  organisations: OrganisationsTable;
  org_domains: OrgDomainsTable;
  app_passwords: AppPasswordsTable;
  restrictions: RestrictionsTable;
  audit_log: AuditLogTable;
  policies: PoliciesTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  reset_codes: ResetCodesTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  message_log: MessageLogTable;
  evidence_messages: EvidenceMessagesTable;
  schema_version: SchemaVersionTable;
}

/** A Kysely instance or a transaction over our schema. */
export type Db = Kysely<Database>;

/** The two supported SQL dialects. */
export type StoreKind = 'sqlite' | 'postgres';

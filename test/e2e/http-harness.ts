/**
 * A real HTTP server on a real SQLite store for the HTTP e2e suites, wired like main.ts.
 * Fakes (ports with no backend in these tests):
 * - Clock: FakeClock, moved by the test.
 * - Mailer: CollectingMailer, keeps notices so a test can read a reset code "from the mailbox".
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildHttpServer, registeredRoutes } from '../../src/adapters/http/http-server.js';
import { createHttpMetrics } from '../../src/adapters/http/metrics.js';
import { MemoryCounters } from '../../src/adapters/counters/memory-counters.js';
import { Argon2Hasher } from '../../src/adapters/system/argon2-hasher.js';
import { MemoryEventBus } from '../../src/adapters/system/memory-event-bus.js';
import { NodeRandom } from '../../src/adapters/system/node-random.js';
import { ZxcvbnStrength } from '../../src/adapters/system/zxcvbn-strength.js';
import { OtpauthTotp } from '../../src/adapters/totp/otpauth-totp.js';
import { AlertService } from '../../src/core/alerts/alert-service.js';
import { AuditService } from '../../src/core/audit/audit-service.js';
import { SYSTEM_ACTOR } from '../../src/core/audit/audit-event.js';
import { SelfServiceReset } from '../../src/core/auth/self-service-reset.js';
import { SessionService } from '../../src/core/auth/session-service.js';
import { SignInService } from '../../src/core/auth/sign-in.js';
import { TokenService } from '../../src/core/auth/token-service.js';
import { DirectoryService } from '../../src/core/directory/directory-service.js';
import { SecureAccount } from '../../src/core/directory/secure-account.js';
import { PolicyAdmin } from '../../src/core/policy/policy-admin.js';
import { matchPolicy } from '../../src/core/policy/policy-match.js';
import { RestrictionService } from '../../src/core/restrictions/restriction-service.js';
import { cliPrincipal } from '../../src/core/roles/principal.js';
import type { Role } from '../../src/core/roles/roles.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Mailer, OutgoingNotice } from '../../src/ports/mailer.js';
import { sha256, withSqliteStore, type TestStore } from '../support/db.js';

export class FakeClock implements Clock {
  #t: number;
  constructor(start = Date.UTC(2026, 10, 23, 9, 0, 0)) {
    this.#t = start;
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

export class CollectingMailer implements Mailer {
  readonly sent: OutgoingNotice[] = [];
  #waiters: { to: string; resolve: (n: OutgoingNotice) => void }[] = [];
  async send(notice: OutgoingNotice): Promise<void> {
    this.sent.push(notice);
    for (const w of this.#waiters.filter((x) => notice.to.includes(x.to))) w.resolve(notice);
    this.#waiters = this.#waiters.filter((x) => !notice.to.includes(x.to));
  }
  /** The next notice to `to` (one already sent and not yet taken counts). */
  next(to: string, after = 0): Promise<OutgoingNotice> {
    const found = this.sent.slice(after).find((n) => n.to.includes(to));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ to, resolve }));
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Harness {
  readonly url: string;
  readonly clock: FakeClock;
  readonly mailer: CollectingMailer;
  readonly db: TestStore;
  readonly restrictions: RestrictionService;
  readonly directory: DirectoryService;
  readonly routes: readonly { method: string; url: string }[];
  /** A bearer token of this role, made through the core (as `sendwarden tokens create` does). */
  token(role: Role): Promise<string>;
  /** Adds a user with a known password. */
  addUser(
    email: string,
    options?: { roles?: Role[]; alternateEmail?: string; password?: string },
  ): Promise<{ id: string; email: string; password: string }>;
  restrict(userId: string): Promise<void>;
  call(
    method: string,
    path: string,
    options?: {
      token?: string;
      cookie?: string;
      csrf?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Reply>;
  close(): Promise<void>;
}

export const STRONG = 'correct horse battery staple 42';

export async function startHarness(): Promise<Harness> {
  const db = await withSqliteStore();
  const clock = new FakeClock();
  const mailer = new CollectingMailer();
  const secret = randomBytes(32);
  const random = new NodeRandom();
  const events = new MemoryEventBus();
  const hasher = new Argon2Hasher(secret);
  const counters = new MemoryCounters();
  const uow = db.store.uow;
  const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const alerts = new AlertService({ uow, clock, random, notify: () => undefined });
  const raiseAlert = (input: Parameters<AlertService['raise']>[0]) => alerts.raise(input);
  const restrictions = new RestrictionService({
    uow,
    clock,
    random,
    events,
    raiseAlert,
    resetCounters: (userId) => counters.reset(`u:${userId}:`),
    policyFor: async (s, user) => matchPolicy(await s.policies.list(), user),
  });
  const directory = new DirectoryService({
    uow,
    hasher,
    strength: new ZxcvbnStrength(),
    clock,
    random,
    sha256,
    events,
  });
  const signIn = new SignInService({ uow, hasher, sha256, clock, raiseAlert });
  const secureAccount = new SecureAccount({
    uow,
    hasher,
    clock,
    random,
    events,
    unblock: (p, id, input) => restrictions.unblock(p, id, input),
    isRestricted: async (userId) => (await restrictions.activeRestriction(userId)) !== undefined,
  });
  const tokens = new TokenService({ uow, clock, random, sha256, safeEqual });
  const totp = new OtpauthTotp(secret);
  const sessions = new SessionService({ uow, clock, random, sha256, safeEqual, totp, signIn });
  const selfService = new SelfServiceReset({ uow, clock, random, sha256, safeEqual, mailer, totp, directory });
  const app = await buildHttpServer({
    directory,
    secureAccount,
    restrictions,
    alerts,
    audit: new AuditService(db.store.stores.audit, sha256),
    policyAdmin: new PolicyAdmin(uow, clock, events),
    sessions,
    tokens,
    selfService,
    messages: db.store.stores.messages,
    probes: {
      store: async () => void (await db.store.stores.users.count()),
      counters: async () => void (await counters.peek([{ key: 'h', windowMs: 1000 }], clock.now())),
    },
    metrics: createHttpMetrics(),
    clock,
    csrfKey: secret,
    logger: false,
  });
  const routes = registeredRoutes(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const operator = cliPrincipal('test');
  return {
    url,
    clock,
    mailer,
    db,
    restrictions,
    directory,
    routes,
    async token(role) {
      return (await tokens.create(operator, { role })).secret;
    },
    async addUser(email, options = {}) {
      const password = options.password ?? `${STRONG} ${email}`;
      const user = await directory.addUser(operator, {
        email,
        displayName: email.split('@')[0]!,
        roles: options.roles ?? [],
        alternateEmail: options.alternateEmail ?? null,
        password,
      });
      return { id: user.id, email: user.email, password };
    },
    async restrict(userId) {
      await restrictions.restrictUser({
        userId,
        kind: 'until-unblocked',
        evidence: {
          rule: 'external-per-hour',
          summary: '6 external recipients in the last hour; limit 5',
          counts: { externalHour: 6 },
          limit: 5,
        },
        actor: SYSTEM_ACTOR,
      });
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      if (options.cookie) headers['cookie'] = `sw_session=${options.cookie}`;
      if (options.csrf) headers['x-csrf-token'] = options.csrf;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let json: unknown = undefined;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      try {
        await app.close();
      } finally {
        await counters.close();
        await db.cleanup();
      }
    },
  };
}

/** The sw_session cookie value from a Set-Cookie header. */
export function sessionCookieOf(reply: Reply): { value: string; attributes: string } {
  const header = reply.headers.getSetCookie().find((c) => c.startsWith('sw_session='));
  if (!header) throw new Error(`no sw_session cookie in ${reply.status} ${reply.text}`);
  const [pair, ...attrs] = header.split(';');
  return { value: pair!.slice('sw_session='.length), attributes: attrs.join(';') };
}

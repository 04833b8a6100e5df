/**
 * A real HTTP server on a real SQLite store for the HTTP e2e suites, wired like main.ts.
 * Fakes (ports with no backend in these tests):
 * - Clock: FakeClock, moved by the test.
 * - Mailer: CollectingMailer, keeps notices so a test can read a reset code "from the mailbox".
 */
import type { AddressInfo } from 'node:net';
import { buildHttpServer, registeredRoutes } from '../../src/adapters/http/http-server.js';
import { createHttpMetrics } from '../../src/adapters/http/metrics.js';
import { SYSTEM_ACTOR } from '../../src/core/audit/audit-event.js';
import type { SignInService } from '../../src/core/auth/sign-in.js';
import type { DirectoryService } from '../../src/core/directory/directory-service.js';
import type { RestrictionService } from '../../src/core/restrictions/restriction-service.js';
import { cliPrincipal } from '../../src/core/roles/principal.js';
import type { Role } from '../../src/core/roles/roles.js';
import { STRONG } from '../support/builders.js';
import type { CollectingMailer } from '../support/core-services.js';
import { coreServices } from '../support/core-services.js';
import { FakeClock } from '../support/fake-clock.js';
import { withSqliteStore, type TestStore } from '../support/db.js';

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
  /** SMTP AUTH and portal sign-in, as the gateway calls it. */
  readonly signIn: SignInService;
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

/** The API over real HTTP on a fresh store (SQLite by default; the suites run on PostgreSQL too). */
export async function startHarness(openStore: () => Promise<TestStore> = withSqliteStore): Promise<Harness> {
  const db = await openStore();
  const clock = new FakeClock(new Date(Date.UTC(2026, 10, 23, 9, 0, 0)));
  const core = coreServices(db, clock);
  const { mailer, counters, restrictions, directory, tokens, sessions, selfService, alerts, secureAccount } = core;
  const app = await buildHttpServer({
    directory,
    secureAccount,
    restrictions,
    alerts,
    audit: core.audit,
    policyAdmin: core.policyAdmin,
    whatIf: core.whatIf,
    appPasswords: core.appPasswords,
    sessions,
    tokens,
    selfService,
    messageReader: core.messageReader,
    overview: core.overview,
    evidence: core.evidence,
    probes: {
      store: async () => void (await db.store.stores.users.count()),
      counters: async () => void (await counters.peek([{ key: 'h', windowMs: 1000 }], clock.now())),
    },
    metrics: createHttpMetrics(),
    clock,
    csrfKey: core.secret,
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
    signIn: core.signIn,
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
          counts: { 'external-per-hour': 6 },
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

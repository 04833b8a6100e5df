import { randomBytes, timingSafeEqual } from 'node:crypto';
import { MemoryCounters } from '../../src/adapters/counters/memory-counters.js';
import { Argon2Hasher } from '../../src/adapters/system/argon2-hasher.js';
import { NodeRandom } from '../../src/adapters/system/node-random.js';
import { ZxcvbnStrength } from '../../src/adapters/system/zxcvbn-strength.js';
import { OtpauthTotp } from '../../src/adapters/totp/otpauth-totp.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import type { Principal } from '../../src/core/roles/principal.js';
import type { Role } from '../../src/core/roles/roles.js';
import { createEmailComposer } from '../../src/composition/email-wiring.js';
import { createCoreServices, type CorePorts } from '../../src/core/services.js';
import type { Mailer, OutgoingNotice } from '../../src/ports/mailer.js';
import { sha256, type TestStore } from './db.js';
import { FakeClock } from './fake-clock.js';

/** A Mailer that keeps what it would send (the relay has its own tests); tests read codes from it. */
export class CollectingMailer implements Mailer {
  readonly sent: OutgoingNotice[] = [];
  #waiters: { to: string; resolve: (n: OutgoingNotice) => void }[] = [];

  async send(notice: OutgoingNotice): Promise<void> {
    this.sent.push(notice);
    for (const w of this.#waiters.filter((x) => notice.to.includes(x.to))) w.resolve(notice);
    this.#waiters = this.#waiters.filter((x) => !notice.to.includes(x.to));
  }

  /** The next notice to `to` (one already sent after index `after` counts). */
  next(to: string, after = 0): Promise<OutgoingNotice> {
    const found = this.sent.slice(after).find((n) => n.to.includes(to));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ to, resolve }));
  }
}

/** The real composer on the portal's catalogues: English and UTC unless the user chose otherwise. */
export const testComposer = createEmailComposer({
  language: 'en',
  timeZone: 'UTC',
  publicUrl: 'https://sendwarden.contoso.com',
});

export const safeEqual = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The core services wired exactly as main.ts wires them (createCoreServices), on a real test store.
 * Fakes: FakeClock and CollectingMailer. Argon2, zxcvbn, counters, TOTP and the store are real.
 */
export function coreServices(t: TestStore, clock = new FakeClock(), extra: Partial<CorePorts> = {}) {
  const secret = randomBytes(32);
  const counters = new MemoryCounters();
  const hasher = new Argon2Hasher(secret);
  const mailer = new CollectingMailer();
  const notified: Alert[] = [];
  const services = createCoreServices({
    uow: t.store.uow,
    auditLog: t.store.stores.audit,
    sendingState: t.store.stores.sendingState,
    messages: t.store.stores.messages,
    counters,
    clock,
    random: new NodeRandom(),
    hasher,
    strength: new ZxcvbnStrength(),
    sha256,
    safeEqual,
    totp: new OtpauthTotp(secret),
    mailer,
    composer: testComposer,
    alertChannels: ['email'],
    onAlert: (a) => notified.push(a),
    replay: { source: t.store.replay, retentionDays: 30 },
    evidenceVault: t.store.evidenceVault(secret),
    ...extra,
  });
  return { ...services, clock, uow: t.store.uow, counters, hasher, mailer, notified, secret };
}

/** A principal with the given roles, as the HTTP layer would build one. */
export function principal(roles: Role[], label = `test:${roles.join('+') || 'user'}`): Principal {
  return { actor: { kind: 'token', id: label, label }, roles, userId: null };
}

export const GLOBAL_ADMIN = principal(['global-admin']);

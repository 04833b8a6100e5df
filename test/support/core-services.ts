import { randomBytes } from 'node:crypto';
import { MemoryCounters } from '../../src/adapters/counters/memory-counters.js';
import { Argon2Hasher } from '../../src/adapters/system/argon2-hasher.js';
import { MemoryEventBus } from '../../src/adapters/system/memory-event-bus.js';
import { NodeRandom } from '../../src/adapters/system/node-random.js';
import { ZxcvbnStrength } from '../../src/adapters/system/zxcvbn-strength.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import { AlertService } from '../../src/core/alerts/alert-service.js';
import { AuditService } from '../../src/core/audit/audit-service.js';
import { SignInService } from '../../src/core/auth/sign-in.js';
import { DirectoryService } from '../../src/core/directory/directory-service.js';
import { SecureAccount } from '../../src/core/directory/secure-account.js';
import { policyFor } from '../../src/core/policy/policy-match.js';
import { PolicyAdmin } from '../../src/core/policy/policy-admin.js';
import { RestrictionService } from '../../src/core/restrictions/restriction-service.js';
import type { Principal } from '../../src/core/roles/principal.js';
import type { Role } from '../../src/core/roles/roles.js';
import { sha256, type TestStore } from './db.js';
import { FakeClock } from './fake-clock.js';

/** The core services wired on a real test store, with a FakeClock (the only fake) and real argon2, zxcvbn and counters. */
export function coreServices(t: TestStore, clock = new FakeClock()) {
  const uow = t.store.uow;
  const random = new NodeRandom();
  const events = new MemoryEventBus();
  const hasher = new Argon2Hasher(randomBytes(32));
  const counters = new MemoryCounters();
  const notified: Alert[] = [];
  const alerts = new AlertService({ uow, clock, random, notify: (a) => notified.push(a) });
  const raiseAlert = (input: Parameters<AlertService['raise']>[0]) => alerts.raise(input);
  const restrictions = new RestrictionService({
    uow,
    clock,
    random,
    events,
    raiseAlert,
    resetCounters: (userId) => counters.reset(`u:${userId}:`),
    policyFor,
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
    isRestricted: async (id) => (await restrictions.activeRestriction(id)) !== undefined,
  });
  return {
    clock,
    uow,
    counters,
    events,
    hasher,
    notified,
    alerts,
    restrictions,
    directory,
    signIn,
    secureAccount,
    audit: new AuditService(t.store.stores.audit, sha256),
    policyAdmin: new PolicyAdmin(uow, clock, events),
  };
}

/** A principal with the given roles, as the HTTP layer would build one. */
export function principal(roles: Role[], label = `test:${roles.join('+') || 'user'}`): Principal {
  return { actor: { kind: 'token', id: label, label }, roles, userId: null };
}

export const GLOBAL_ADMIN = principal(['global-admin']);

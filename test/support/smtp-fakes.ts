/**
 * Stand-ins for the gateway's dependencies (sign-in, the submission guard), following the
 * SubmissionGuard contract (src/core/sending/submission-port.ts) closely enough to drive every SMTP
 * reply; the stack tests (test/e2e/stack-*.test.ts) run the gateway on the real core.
 *
 * Fakes: FakeSignIn (authenticate), FakeGuard (SubmissionGuard), MessageLog (recordMessage),
 * TestLogger (logger). The Clock is test/support/fake-clock.ts.
 */
import { DomainError } from '../../src/core/errors.js';
import type { User } from '../../src/core/directory/user.js';
import type { Decision } from '../../src/core/sending/decision.js';
import type { MessageRecord } from '../../src/core/sending/message-record.js';
import type { Envelope, SubmissionGuard } from '../../src/core/sending/submission-port.js';
import type { MessageFacts } from '../../src/ports/content-scorer.js';
import { makeUser } from './builders.js';

export const PASSWORD = 'correct horse battery staple';

/** Sign-in: rob and megan sign in with PASSWORD; locked/blocked/outage users show the failure paths. */
export class FakeSignIn {
  readonly users = new Map<string, User>([
    ['rob@contoso.com', makeUser('rob@contoso.com', { id: 'user-rob', aliases: ['robert@contoso.com'] })],
    ['megan@contoso.com', makeUser('megan@contoso.com', { id: 'user-megan' })],
  ]);
  readonly attempts: { login: string; clientAddress: string }[] = [];

  authenticate = async (login: string, password: string, clientAddress: string): Promise<User> => {
    this.attempts.push({ login, clientAddress });
    if (login === 'locked@contoso.com') throw new DomainError('ACCOUNT_LOCKED', 'Locked out.');
    if (login === 'blocked@contoso.com') throw new DomainError('SIGN_IN_BLOCKED', 'Sign-in blocked.');
    if (login === 'store-down@contoso.com') throw new DomainError('STORE_UNAVAILABLE', 'Store down.');
    if (login === 'outage@contoso.com') throw new Error('connection refused (simulated database outage)');
    const user = this.users.get(login);
    if (user === undefined || password !== PASSWORD) throw new DomainError('AUTH_FAILED', 'Wrong login or password.');
    return user;
  };
}

/**
 * The guard: own address or alias only; restricted users refused; at most `maxRecipients`
 * per message (defer); a recipient named `trip-restrict@...` restricts the sender on the spot;
 * `guard-bug@...` throws a non-domain error; a subject containing SPAM is refused as spam.
 */
export class FakeGuard implements SubmissionGuard {
  readonly restricted = new Set<string>();
  maxRecipients = 3;
  lastFacts: MessageFacts | null = null;

  async checkSender(user: User, mailFrom: string): Promise<Decision> {
    if (this.restricted.has(user.id)) return { kind: 'reject', code: 'SENDER_RESTRICTED', reason: 'restricted' };
    if (mailFrom !== user.email && !user.aliases.includes(mailFrom)) {
      return { kind: 'reject', code: 'SENDER_NOT_ALLOWED', reason: `${mailFrom} is not an address of ${user.email}` };
    }
    return { kind: 'accept' };
  }

  async checkRecipient(envelope: Envelope, recipient: string): Promise<Decision> {
    if (this.restricted.has(envelope.user.id))
      return { kind: 'reject', code: 'SENDER_RESTRICTED', reason: 'restricted' };
    if (recipient.startsWith('guard-bug@')) throw new Error('simulated bug in the guard');
    if (recipient.startsWith('trip-restrict@')) {
      this.restricted.add(envelope.user.id);
      return { kind: 'restrict', code: 'SENDER_RESTRICTED', reason: 'external recipients per hour over the limit' };
    }
    if (envelope.accepted.length >= this.maxRecipients) {
      return { kind: 'defer', code: 'TOO_MANY_RECIPIENTS', reason: `more than ${this.maxRecipients} recipients` };
    }
    return { kind: 'accept' };
  }

  /** Recipients given back after the next hop refused them. */
  readonly released: string[] = [];

  async releaseRecipient(_envelope: Envelope, recipient: string): Promise<void> {
    this.released.push(recipient);
  }

  async checkMessage(
    _envelope: Envelope,
    facts: MessageFacts,
  ): Promise<Decision & { readonly spamScore: number; readonly isSpam: boolean }> {
    this.lastFacts = facts;
    if ((facts.subject ?? '').includes('SPAM')) {
      return { kind: 'reject', code: 'SPAM_DETECTED', reason: 'looks like spam', spamScore: 12, isSpam: true };
    }
    return { kind: 'accept', spamScore: 1, isSpam: false };
  }
}

export class MessageLog {
  readonly records: MessageRecord[] = [];
  record = (r: MessageRecord): void => {
    this.records.push(r);
  };
}

export class TestLogger {
  readonly errors: { obj: object; msg?: string }[] = [];
  readonly infos: { obj: object; msg?: string }[] = [];
  info = (obj: object, msg?: string) => void this.infos.push({ obj, msg });
  warn = (_obj: object, _msg?: string) => undefined;
  error = (obj: object, msg?: string) => void this.errors.push({ obj, msg });
}

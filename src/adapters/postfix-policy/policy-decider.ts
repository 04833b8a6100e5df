import { parseAddress } from '../../core/directory/address.js';
import type { Sender } from '../../core/directory/user.js';
import type { Decision } from '../../core/sending/decision.js';
import type { Envelope, PolicyGuard } from '../../core/sending/submission-port.js';
import { actionFor, actionForError, DUNNO, POSTFIX_ACTIONS } from './actions.js';
import {
  acceptedRecipients,
  NO_RECIPIENTS,
  withRecipient,
  type EnvelopeCache,
  type PolicyEnvelope,
} from './envelope-cache.js';
import type { PolicyAttributes } from './parser.js';

/** The part of pino the policy service uses. */
export interface PolicyLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The attributes of a request this service reads; Postfix sends many more, which are ignored. */
export interface PolicyQuery {
  readonly protocolState: string;
  readonly saslUsername: string;
  readonly sender: string;
  readonly recipient: string;
  readonly clientAddress: string;
  /** The same for every request of one message. */
  readonly instance: string;
}

/** The attributes readQuery reads: the only ones the service's parser keeps (PolicyParser `keep`). */
export const QUERY_ATTRIBUTES: readonly string[] = [
  'request',
  'protocol_state',
  'sasl_username',
  'sender',
  'recipient',
  'client_address',
  'instance',
];

/** Reads a request; a string is the reason it is not an SMTPD access policy request. */
export function readQuery(attributes: PolicyAttributes): PolicyQuery | string {
  const request = attributes.get('request');
  if (request !== 'smtpd_access_policy') {
    return request === undefined ? 'the request has no request= attribute' : `unknown request type "${request}"`;
  }
  return {
    protocolState: valueOf(attributes, 'protocol_state').toUpperCase(),
    saslUsername: valueOf(attributes, 'sasl_username'),
    sender: valueOf(attributes, 'sender'),
    recipient: valueOf(attributes, 'recipient'),
    clientAddress: valueOf(attributes, 'client_address'),
    instance: valueOf(attributes, 'instance'),
  };
}

/**
 * An attribute's value, trimmed; '' when absent. The parser's values are strings of their own
 * (parser.ts), so a kept one holds nothing else alive. (A function of the module, not a closure made
 * per request: under tsx, which the bench runs, each closure also costs a defineProperty for its name.)
 */
function valueOf(attributes: PolicyAttributes, name: string): string {
  return (attributes.get(name) ?? '').trim();
}

export interface PolicyDeciderDeps {
  /** The directory user for a SASL login name (address or alias), or undefined. */
  findUser(login: string): Promise<Sender | undefined>;
  guard: PolicyGuard;
  envelopes: EnvelopeCache;
  logger: PolicyLogger;
}

/**
 * The policy engine behind a request, as the SMTP gateway runs it at MAIL FROM and RCPT TO:
 * at a message's first RCPT the sender is checked (own address or alias, restriction,
 * messages-per-minute), then every recipient against the limits, with the recipients accepted
 * so far kept per message. Postfix already authenticated the client; a request without
 * sasl_username is not submission and is left to Postfix (DUNNO).
 */
export class PolicyDecider {
  readonly #d: PolicyDeciderDeps;

  constructor(deps: PolicyDeciderDeps) {
    this.#d = deps;
  }

  /** The action line for one request; never throws (an unexpected error is logged and answered 451 4.3.0). */
  async answer(query: PolicyQuery): Promise<string> {
    try {
      return await this.#decide(query);
    } catch (err) {
      return actionForError(err, (e) =>
        this.#d.logger.error(
          { err: e, instance: query.instance, user: query.saslUsername },
          'unexpected error in a Postfix policy request',
        ),
      );
    }
  }

  async #decide(q: PolicyQuery): Promise<string> {
    // Content is not available to a policy service, and only RCPT carries a recipient to count.
    if (q.protocolState !== 'RCPT') {
      if (q.protocolState === 'END-OF-MESSAGE' && q.instance !== '') this.#d.envelopes.delete(keyOf(q));
      return DUNNO;
    }
    if (q.saslUsername === '') return DUNNO;
    const user = await this.#d.findUser(q.saslUsername);
    if (user === undefined) {
      this.#d.logger.warn(
        { user: q.saslUsername, instance: q.instance },
        'Postfix authenticated a user Sendwarden does not know; not policed',
      );
      return DUNNO;
    }
    // "Block sign-in" stops the user's mail even when Postfix checked the password itself.
    if (user.signInBlocked) return this.#refused(q, user, 'SIGN_IN_BLOCKED', POSTFIX_ACTIONS.SIGN_IN_BLOCKED);

    const key = keyOf(q);
    const stored = q.instance === '' ? undefined : this.#d.envelopes.get(key);
    const envelope: PolicyEnvelope =
      stored !== undefined && stored.userId === user.id
        ? stored
        : { userId: user.id, mailFrom: '', isSenderAccepted: false, accepted: NO_RECIPIENTS };
    const clientAddress = q.clientAddress === '' ? null : q.clientAddress;

    const recipient = parseAddress(q.recipient);
    // A refused sender is asked again at the next RCPT (so an unblock applies at once); an
    // accepted one is counted once per message. The first recipient is counted with the sender,
    // in one counter round trip.
    if (!envelope.isSenderAccepted) {
      const mailFrom = parseAddress(q.sender);
      if (mailFrom === null) {
        const reason = `"${q.sender}" is not an address of ${user.email}.`;
        return this.#refusedBy(q, user, { kind: 'reject', code: 'SENDER_NOT_ALLOWED', reason });
      }
      const first: Envelope = { user, clientAddress, mailFrom, accepted: [] };
      const decided =
        recipient === null
          ? { sender: await this.#d.guard.checkSender(user, mailFrom, clientAddress), recipient: undefined }
          : await this.#d.guard.checkFirstRecipient(first, recipient);
      if (decided.sender.kind !== 'accept') return this.#refusedBy(q, user, decided.sender);
      envelope.mailFrom = mailFrom;
      envelope.isSenderAccepted = true;
      if (q.instance !== '') this.#d.envelopes.set(key, envelope);
      if (recipient !== null && decided.recipient !== undefined)
        return this.#recipientAnswer(q, user, envelope, recipient, decided.recipient);
    }

    if (recipient === null) return this.#refused(q, user, 'INVALID_EMAIL', POSTFIX_ACTIONS.INVALID_EMAIL);
    const accepted = acceptedRecipients(envelope);
    if (accepted.includes(recipient)) return DUNNO;
    const decision = await this.#d.guard.checkRecipient(
      // The envelope's list is never changed in place (withRecipient makes a new one), so the guard may hold it.
      { user, clientAddress, mailFrom: envelope.mailFrom, accepted },
      recipient,
    );
    return this.#recipientAnswer(q, user, envelope, recipient, decision);
  }

  #recipientAnswer(
    q: PolicyQuery,
    user: Sender,
    envelope: PolicyEnvelope,
    recipient: string,
    decision: Decision,
  ): string {
    if (decision.kind === 'accept') {
      envelope.accepted = withRecipient(envelope.accepted, recipient);
      return DUNNO;
    }
    return this.#refusedBy(q, user, decision);
  }

  #refusedBy(q: PolicyQuery, user: Sender, decision: Decision): string {
    const action = actionFor(decision);
    if (decision.kind !== 'accept')
      this.#d.logger.info(
        {
          user: user.email,
          instance: q.instance,
          recipient: q.recipient,
          code: decision.code,
          reason: decision.reason,
        },
        'Postfix policy refusal',
      );
    return action;
  }

  #refused(q: PolicyQuery, user: Sender, code: string, action: string): string {
    this.#d.logger.info(
      { user: user.email, instance: q.instance, recipient: q.recipient, code },
      'Postfix policy refusal',
    );
    return action;
  }
}

/**
 * Instance numbers are only unique within one Postfix host; the login, sender and client
 * address keep two hosts sharing this service from mixing their messages.
 */
function keyOf(q: PolicyQuery): string {
  // join makes one flat string; a template literal makes a cons string that the Map then flattens
  // into a second object, both kept as long as the envelope.
  return [q.instance, q.saslUsername.toLowerCase(), q.sender.toLowerCase(), q.clientAddress].join('\u0000');
}

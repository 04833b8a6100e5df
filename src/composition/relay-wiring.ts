/** The next hop (or the capture outbox) and the notice mailer on it. */
import { RelayMailer } from '../adapters/notify/relay-mailer.js';
import { CaptureOutbox } from '../adapters/relay/capture-outbox.js';
import { SmtpRelay } from '../adapters/relay/smtp-relay.js';
import type { Config } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { Outbox, Relay } from '../ports/relay.js';

/** The relay of this node: the configured next hop, else the capture outbox under the data folder. */
export function createRelay(config: Config, clock: Clock): { relay: Relay; outbox: (Outbox & Relay) | null } {
  const outbox = config.relay ? null : new CaptureOutbox(config.dataDir, clock);
  return { relay: outbox ?? new SmtpRelay({ url: config.relay!, clientName: config.hostname }), outbox };
}

/** The relay plus the mailer that sends notices through it. */
export function createMailer(config: Config, clock: Clock) {
  const { relay, outbox } = createRelay(config, clock);
  return { relay, outbox, mailer: new RelayMailer(relay, config.mailFrom) };
}

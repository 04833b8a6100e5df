import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Mailer, OutgoingNotice } from '../../ports/mailer.js';
import type { Relay } from '../../ports/relay.js';

/** Sends system notices (alerts, reset codes) through the same relay as user mail (or the capture outbox). */
export class RelayMailer implements Mailer {
  readonly #relay: Relay;
  readonly #from: string;

  constructor(relay: Relay, from: string) {
    this.#relay = relay;
    this.#from = from;
  }

  async send(notice: OutgoingNotice): Promise<void> {
    if (notice.to.length === 0) return;
    const raw = await new MailComposer({
      from: `Sendwarden <${this.#from}>`,
      to: notice.to.join(', '),
      subject: notice.subject,
      text: notice.text,
      ...(notice.html === undefined ? {} : { html: notice.html }),
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Sendwarden': 'notice' },
    })
      .compile()
      .build();
    await this.#relay.send({ from: this.#from, to: notice.to }, raw, {
      // Unique even for notices composed in the same millisecond: each becomes its own outbox file.
      id: `notice-${randomUUID()}`,
      subject: notice.subject,
      secrets: notice.secrets,
    });
  }
}

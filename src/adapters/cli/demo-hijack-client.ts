import { createTransport } from 'nodemailer';
import { DomainError } from '../../core/errors.js';
import type { HijackStep } from './cli-context.js';

/** Spam of the kind a hijacked mailbox sends: shortened links, a lure, many outside recipients. */
const SPAM_TEXT = [
  'URGENT: verify your account within 24 hours or it will be suspended.',
  'You have won a prize! Claim it now: http://bit.ly/claim-now and http://198.51.100.7/login',
  'Confirm your password here: https://tinyurl.com/verify-account-now',
].join('\n\n');

/**
 * Submits spam as the user through the running gateway (STARTTLS + AUTH, one kept session),
 * one message per outside recipient, reporting each reply, until a 550 5.1.8 says the user is
 * restricted or `max` messages were tried.
 */
export async function runHijack(
  target: { host: string; port: number; user: string; password: string; max: number },
  onStep: (step: HijackStep) => void,
): Promise<{ restricted: boolean; sent: number }> {
  const transport = createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    requireTLS: true,
    // The demo gateway's certificate is self-signed on first run; this client only ever talks to it on this machine.
    tls: { rejectUnauthorized: false },
    auth: { user: target.user, pass: target.password },
    pool: true,
    maxConnections: 1,
  });
  try {
    for (let n = 1; n <= target.max; n++) {
      const recipient = `victim${n}@example.org`;
      let reply: string;
      try {
        const info = await transport.sendMail({
          from: target.user,
          to: recipient,
          subject: 'URGENT: ACCOUNT SUSPENDED - ACT NOW',
          text: SPAM_TEXT,
        });
        reply = info.response;
      } catch (err) {
        const e = err as { response?: string; code?: string; message: string };
        if (!e.response)
          throw new DomainError(
            'RELAY_UNAVAILABLE',
            `The gateway at ${target.host}:${target.port} did not answer (${e.code ?? e.message}). Is "npm start -- --demo" running?`,
          );
        reply = e.response;
      }
      const restricted = reply.startsWith('550 5.1.8');
      onStep({ n, recipient, reply, restricted });
      if (restricted) return { restricted: true, sent: n };
    }
    return { restricted: false, sent: target.max };
  } finally {
    transport.close();
  }
}

/**
 * Overshoot: one user opens `connections` SMTP sessions (STARTTLS + AUTH each), then all of
 * them send at once, each to `perConnection` external recipients, against an hourly limit of
 * `limit`. Every RCPT reply is counted as the client sees it: accepted beyond the limit must be 0.
 */
import { SmtpTestClient, simpleMessage } from '../test/support/smtp-client.js';
import { BENCH_PRINCIPAL, type GatewaySide } from './sides.js';

export interface OvershootResult {
  readonly connections: number;
  readonly attempted: number;
  readonly limit: number;
  readonly accepted: number;
  readonly overshoot: number;
  /** Recipients of messages that got 250 after DATA (handed to the next hop). */
  readonly delivered: number;
  /** Distinct refusal replies (RCPT, MAIL, DATA final) and how often each was seen. */
  readonly refusals: Readonly<Record<string, number>>;
}

export async function overshoot(
  gateway: GatewaySide,
  options: { connections: number; perConnection: number; limit: number },
): Promise<OvershootResult> {
  const email = 'burst@bench.example';
  const password = await gateway.addSender(email);
  // Last phase of the run: the default policy now has a low limit and the "restrict" action.
  await gateway.app.policyAdmin.update(BENCH_PRINCIPAL, {
    limits: { externalPerHour: options.limit },
    action: 'restrict',
  });
  const clients: SmtpTestClient[] = [];
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        const client = await SmtpTestClient.connect(gateway.port, { replyTimeoutMs: 20_000 });
        clients.push(client);
        const reply = await client.signIn(email, password);
        if (!reply.startsWith('235')) throw new Error(`AUTH refused: ${reply}`);
      }),
    );
    const refusals: Record<string, number> = {};
    const note = (line: string | undefined) => {
      if (line !== undefined && !/^2|^354/.test(line)) refusals[line] = (refusals[line] ?? 0) + 1;
    };
    const results = await Promise.all(
      clients.map((client, c) => {
        const to = Array.from({ length: options.perConnection }, (_, r) => `target${c}-${r}@fabrikam.example`);
        return client.sendMail(email, to, simpleMessage(email, to, `Burst ${c}`));
      }),
    );
    let accepted = 0;
    let delivered = 0;
    for (const r of results) {
      note(r.mail);
      r.rcpt.forEach(note);
      note(r.final);
      const ok = r.rcpt.filter((x) => x.startsWith('250')).length;
      accepted += ok;
      if (r.final?.startsWith('250')) delivered += ok;
    }
    return {
      connections: options.connections,
      attempted: options.connections * options.perConnection,
      limit: options.limit,
      accepted,
      overshoot: Math.max(0, accepted - options.limit),
      delivered,
      refusals,
    };
  } finally {
    await Promise.all(clients.map((c) => c.quit()));
  }
}

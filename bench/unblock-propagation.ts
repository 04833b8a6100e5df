/**
 * Unblock propagation (issue 14: goal under 1 s): a restricted user keeps a session open and
 * sends RCPT again and again; an admin unblocks through the HTTP API of the same node, or through
 * the CLI (a second process on the same store). The figure is the time from the moment the
 * unblock call returned to the first RCPT answered 250 on that session, median of `rounds`.
 */
import { SmtpTestClient } from '../test/support/smtp-client.js';
import { runSendwarden } from '../test/support/cli.js';
import { BENCH_PRINCIPAL, type GatewaySide } from './sides.js';

export interface PropagationResult {
  readonly apiMs: readonly number[];
  readonly cliMs: readonly number[];
}

async function untilAccepted(client: SmtpTestClient, started: number, n: number): Promise<number> {
  for (let i = 0; i < 10_000; i++) {
    if ((await client.command(`RCPT TO:<p${n}-${i}@fabrikam.example>`)).startsWith('250')) break;
    if (performance.now() - started > 10_000) return Number.POSITIVE_INFINITY;
  }
  return performance.now() - started;
}

export async function unblockPropagation(
  gateway: GatewaySide,
  env: Readonly<Record<string, string>>,
  rounds: number,
): Promise<PropagationResult> {
  // The unblock cap (3 per user per window) would refuse a fourth unblock: a fresh user per round.
  const { secret: token } = await gateway.app.tokens.create(BENCH_PRINCIPAL, { role: 'security-admin' });
  const result = { apiMs: [] as number[], cliMs: [] as number[] };
  {
    // Every round through the API, every other one through the CLI (a CLI start takes seconds here).
    for (let round = 0; round < rounds + Math.ceil(rounds / 2); round++) {
      const viaCli = round >= rounds;
      const email = `unblock${round}@bench.example`;
      const password = await gateway.addSender(email);
      const user = await gateway.app.directory.getUser(BENCH_PRINCIPAL, email);
      const client = await SmtpTestClient.connect(gateway.port);
      if (!(await client.signIn(email, password)).startsWith('235')) throw new Error('bench sign-in refused');
      await client.command('RSET');
      if (!(await client.command(`MAIL FROM:<${email}>`)).startsWith('250')) throw new Error('MAIL refused');
      await gateway.app.restrictions.restrictUser({
        userId: user.id,
        kind: 'until-unblocked',
        evidence: { rule: 'external-per-hour', summary: 'bench', counts: {}, limit: 1 },
      });
      if (!(await client.command('RCPT TO:<warm@fabrikam.example>')).startsWith('5')) throw new Error('not restricted');
      let started: number;
      if (viaCli) {
        const r = await runSendwarden(['restricted', 'unblock', email, '--yes'], env, { timeoutMs: 90_000 });
        if (r.code !== 0) throw new Error(`CLI unblock failed: ${r.stderr}`);
        started = performance.now();
      } else {
        const res = await fetch(new URL(`/api/v1/restricted-users/${email}/unblock`, gateway.servers.httpUrl), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ confirm: true }),
        });
        if (res.status !== 200) throw new Error(`API unblock answered ${res.status}`);
        started = performance.now();
      }
      (viaCli ? result.cliMs : result.apiMs).push(await untilAccepted(client, started, round));
      client.destroy();
    }
  }
  return result;
}

/**
 * The one load client for every policy service in `npm run bench -- --peers`, in its own process
 * (so it never shares an event loop with the server under test):
 *   node --import tsx bench/policy-load.ts '<json PolicyLoadJob>'
 * Prints one JSON line (PolicyLoadResult).
 *
 * Like Postfix's smtpd: `connections` kept connections, each sending one request and waiting for
 * its answer before the next (check_policy_service never pipelines). Every request is the full
 * attribute set Postfix 3.x sends at RCPT TO for an authenticated client (SMTPD_POLICY_README),
 * one recipient per message (a fresh `instance` each): request i comes from user i % users.
 */
import net from 'node:net';
import { percentile } from './stats.js';

/** What bench/peers.ts asks the load client to do. */
export interface PolicyLoadJob {
  readonly port: number;
  readonly requests: number;
  readonly connections: number;
  readonly users: number;
  /** SASL login of user u: `${userPrefix}${u}@${userDomain}`. */
  readonly userPrefix: string;
  readonly userDomain: string;
  /** Distinct per run, so no two runs share an instance or a recipient. */
  readonly run: number;
  readonly timeoutMs: number;
  /**
   * After each RCPT answer, the message's END-OF-MESSAGE request (same instance), as Postfix sends
   * it when smtpd_end_of_data_restrictions calls the service; its answer is not counted.
   */
  readonly endOfMessage?: boolean;
}

export interface PolicyLoadResult {
  readonly requests: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
  /** action=DUNNO / OK / PREPEND... (let Postfix go on). */
  readonly accepted: number;
  /** A 4xx/5xx, REJECT, DEFER, DEFER_IF_PERMIT answer. */
  readonly refused: number;
  /** Per user: [accepted, refused], to check the split user by user. */
  readonly perUser: readonly (readonly [number, number])[];
  /** Answers that were neither (none expected), and the first of them. */
  readonly other: number;
  readonly firstOther: string | undefined;
  readonly failed: number;
  readonly firstError: string | undefined;
  /** Round trip as the client sees it. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

export function loginOf(job: Pick<PolicyLoadJob, 'userPrefix' | 'userDomain'>, user: number): string {
  return `${job.userPrefix}${user}@${job.userDomain}`;
}

/** The attribute set of smtpd 3.7 at RCPT TO (or END-OF-MESSAGE) after SASL AUTH, in its order. */
function request(job: PolicyLoadJob, i: number, state: 'RCPT' | 'END-OF-MESSAGE' = 'RCPT'): string {
  const user = i % job.users;
  const login = loginOf(job, user);
  const instance = `${job.run.toString(16)}.${i.toString(16)}.0`;
  const queueId = `${(0x1000000 + i).toString(16).toUpperCase()}${job.run}`;
  return (
    'request=smtpd_access_policy\n' +
    `protocol_state=${state}\n` +
    'protocol_name=ESMTP\n' +
    'client_address=192.0.2.10\n' +
    'client_name=mua.bench.example\n' +
    'client_port=52044\n' +
    'reverse_client_name=mua.bench.example\n' +
    'server_address=127.0.0.1\n' +
    'server_port=587\n' +
    'helo_name=[192.0.2.10]\n' +
    `sender=${login}\n` +
    // At END-OF-MESSAGE Postfix sends no recipient and the count of accepted ones.
    `recipient=${state === 'RCPT' ? `reader${job.run}x${i}@fabrikam.example` : ''}\n` +
    `recipient_count=${state === 'RCPT' ? 0 : 1}\n` +
    `queue_id=${queueId}\n` +
    `instance=${instance}\n` +
    'size=1024\n' +
    'etrn_domain=\n' +
    'stress=\n' +
    'sasl_method=PLAIN\n' +
    `sasl_username=${login}\n` +
    'sasl_sender=\n' +
    'ccert_subject=\n' +
    'ccert_issuer=\n' +
    'ccert_fingerprint=\n' +
    'ccert_pubkey_fingerprint=\n' +
    'encryption_protocol=TLSv1.3\n' +
    'encryption_cipher=TLS_AES_256_GCM_SHA384\n' +
    'encryption_keysize=256\n' +
    'policy_context=\n' +
    'server_hostname=mx.bench.example\n' +
    'compatibility_level=3.6\n' +
    'mail_version=3.7.11\n' +
    '\n'
  );
}

type Kind = 'accepted' | 'refused' | 'other';

function classify(action: string): Kind {
  const a = action.trim().toUpperCase();
  if (/^(DUNNO|OK|PREPEND\b|WARN\b)/.test(a)) return 'accepted';
  if (/^([45]\d\d\b|REJECT\b|DEFER\b|DEFER_IF_PERMIT\b|DEFER_IF_REJECT\b)/.test(a)) return 'refused';
  return 'other';
}

async function main(job: PolicyLoadJob): Promise<PolicyLoadResult> {
  const perUser = Array.from({ length: job.users }, () => [0, 0] as [number, number]);
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  let other = 0;
  let firstOther: string | undefined;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  // Every request's bytes are made before the clock starts (about 1 KB each: 20 MB at 20,000), so
  // the client spends its time on the sockets, not on building strings: on 2 cores it shares the
  // machine with the server under test, and its own CPU per request was part of every side's figure.
  const rcpt = Array.from({ length: job.requests }, (_, i) => Buffer.from(request(job, i)));
  const endOfMessage = job.endOfMessage
    ? Array.from({ length: job.requests }, (_, i) => Buffer.from(request(job, i, 'END-OF-MESSAGE')))
    : [];

  const worker = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: job.port, noDelay: true });
      let buffer = '';
      let current = -1;
      let t0 = 0;
      // The END-OF-MESSAGE of `current` is in flight (job.endOfMessage only).
      let isClosing = false;
      const send = () => {
        if (next >= job.requests) {
          socket.end();
          return resolve();
        }
        current = next++;
        t0 = performance.now();
        socket.write(rcpt[current] as Buffer);
      };
      socket.setEncoding('utf8');
      socket.once('connect', send);
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const reply = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (isClosing) {
            isClosing = false;
            send();
            continue;
          }
          latencies.push(performance.now() - t0);
          const action = /^action=(.*)$/m.exec(reply)?.[1] ?? reply;
          const kind = classify(action);
          const counts = perUser[current % job.users] as [number, number];
          if (kind === 'accepted') {
            accepted += 1;
            counts[0] += 1;
          } else if (kind === 'refused') {
            refused += 1;
            counts[1] += 1;
          } else {
            other += 1;
            firstOther ??= action;
          }
          if (job.endOfMessage) {
            isClosing = true;
            socket.write(endOfMessage[current] as Buffer);
          } else send();
        }
      });
      socket.on('error', (err) => {
        failed += 1;
        firstError ??= err.message;
        resolve();
      });
      socket.on('close', () => resolve());
    });

  const started = performance.now();
  const timer = setTimeout(() => {
    process.stdout.write(JSON.stringify({ error: `no end within ${job.timeoutMs} ms` }) + '\n');
    process.exit(3);
  }, job.timeoutMs);
  await Promise.all(Array.from({ length: job.connections }, worker));
  clearTimeout(timer);
  const elapsedMs = performance.now() - started;
  const answered = accepted + refused + other;
  return {
    requests: answered,
    elapsedMs,
    perSecond: (answered / elapsedMs) * 1000,
    accepted,
    refused,
    perUser,
    other,
    firstOther,
    failed: failed + (job.requests - answered),
    firstError,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as PolicyLoadJob;
process.stdout.write(JSON.stringify(await main(job)) + '\n');

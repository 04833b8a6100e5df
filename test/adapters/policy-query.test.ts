import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PolicyParser } from '../../src/adapters/postfix-policy/parser.js';
import { readQuery, type PolicyQuery } from '../../src/adapters/postfix-policy/policy-decider.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** One request as Postfix sends it in one read, with `padding` bytes of other attributes. */
function requestFor(i: number, padding: number): Buffer {
  const lines = [
    'request=smtpd_access_policy',
    'protocol_state=RCPT',
    `sasl_username=user${i}@contoso.example`,
    `sender=user${i}@contoso.example`,
    `recipient=reader${i}@fabrikam.example`,
    'client_address=2001:db8:0:1234::1',
    `instance=${i.toString(16)}.1.0`,
  ];
  for (let k = 0; k < padding / 2000; k++) lines.push(`ccert_subject=${String(k % 10).repeat(1986)}`);
  return Buffer.from(lines.join('\n') + '\n\n', 'latin1');
}

function queryOf(chunk: Buffer): PolicyQuery {
  const [event] = new PolicyParser().feed(chunk);
  if (event?.kind !== 'request') throw new Error('no request parsed');
  const query = readQuery(event.attributes);
  if (typeof query === 'string') throw new Error(query);
  return query;
}

describe('the query read from a policy request', () => {
  it('carries the values Postfix sent', () => {
    expect(queryOf(requestFor(7, 0))).toEqual({
      protocolState: 'RCPT',
      saslUsername: 'user7@contoso.example',
      sender: 'user7@contoso.example',
      recipient: 'reader7@fabrikam.example',
      clientAddress: '2001:db8:0:1234::1',
      instance: '7.1.0',
    });
  });

  // Otherwise the server's memory grows by a whole request for every login it keeps in its
  // sender cache (and every client address in a counter name): ~1 KB per active user with
  // Postfix's attribute set, here 100 KB per request so the difference cannot hide in noise.
  it('holds none of the request it was read from', () => {
    const kept: string[] = [];
    const before = heapAfterGc();
    for (let i = 0; i < 200; i++) {
      const q = queryOf(requestFor(i, 100_000));
      kept.push(q.saslUsername, q.sender, q.clientAddress, q.recipient);
    }
    const grown = heapAfterGc() - before;
    expect(kept).toHaveLength(800);
    // 200 requests of 100 KB are 20 MB; the 800 values themselves are about 50 KB.
    expect(grown).toBeLessThan(2_000_000);
  });
});

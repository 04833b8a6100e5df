/**
 * The floor of the policy bench: a Node policy server with Sendwarden's own parser
 * (adapters/postfix-policy/parser.ts) and nothing else, one count per login in a Map, DUNNO up to
 * the limit and 450 after it, one write per answer. No directory, no sliding windows, no store, no
 * log: what any policy service written this way costs on this machine and load client. Its rate
 * beside policyd-rate-limit bounds the ratio a real Node service can reach here (docs/benchmarks.md).
 */
import { createServer, type AddressInfo } from 'node:net';
import { PolicyParser } from '../src/adapters/postfix-policy/parser.js';

export async function startPolicyFloor(
  limit: number,
): Promise<{ name: string; port: number; config: string; close(): Promise<void> }> {
  const counts = new Map<string, number>();
  const server = createServer((socket) => {
    const parser = new PolicyParser();
    socket.on('data', (chunk: Buffer) => {
      for (const event of parser.feed(chunk)) {
        if (event.kind !== 'request') return socket.destroy();
        const login = event.attributes.get('sasl_username') ?? '';
        const n = (counts.get(login) ?? 0) + 1;
        counts.set(login, n);
        socket.write(n <= limit ? 'action=DUNNO\n\n' : 'action=450 4.7.1 rate limit reached\n\n');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'floor (Node, our parser, a count per login)',
    port: (server.address() as AddressInfo).port,
    config: 'PolicyParser, Map<login, count>, DUNNO up to the limit then 450, in the bench process',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

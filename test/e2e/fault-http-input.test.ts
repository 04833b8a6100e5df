/**
 * Hostile request bodies on the real API: 2 MB (with and without Content-Length), JSON nested a
 * hundred thousand levels deep, and bytes that are not UTF-8. Each gets a 4xx with the catalogue
 * code and a sentence, no stack trace, nothing is stored, and the server keeps answering. If this
 * fails, one request can crash or stall the API, or a garbled name is stored as if it were valid.
 *
 * Fakes: none. The whole node in this process (SQLite, in-process counters), real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

interface RawReply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
  readonly text: string;
}

describe('hostile request bodies', () => {
  let stack: Stack | undefined;
  let token = '';

  beforeAll(async () => {
    stack = await startStack();
    ({ secret: token } = await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' }));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** POST /api/v1/users with exactly these bytes (a stream body is sent chunked, without Content-Length). */
  async function postUsers(body: Buffer | ReadableStream<Uint8Array>): Promise<RawReply> {
    const res = await fetch(`${stack!.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      ...(body instanceof Buffer ? {} : { duplex: 'half' }),
    } as RequestInit);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  function expectRefusal(reply: RawReply, status: number, code: string): void {
    expect({ status: reply.status, code: reply.json?.error?.code }).toEqual({ status, code });
    expect(reply.json.error.message).toMatch(/\w.*\.$/);
    expect(reply.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|Error: /);
  }

  async function expectStillServing(): Promise<void> {
    expect((await stack!.http('GET', '/healthz')).status).toBe(200);
    const users = await stack!.http('GET', '/api/v1/users?search=hostile', { token });
    expect(users.status).toBe(200);
    expect(users.json.items).toEqual([]);
  }

  it('a 2 MB body gets 413 PAYLOAD_TOO_LARGE, with or without Content-Length', async () => {
    const big = Buffer.from(
      JSON.stringify({ email: 'hostile@contoso.com', displayName: 'x'.repeat(2 * 1024 * 1024) }),
      'utf8',
    );
    expectRefusal(await postUsers(big), 413, 'PAYLOAD_TOO_LARGE');

    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let left = 32; // 32 x 64 kB = 2 MB of JSON whitespace, sent chunked
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left-- > 0) controller.enqueue(chunk);
        else controller.close();
      },
    });
    expectRefusal(await postUsers(chunked), 413, 'PAYLOAD_TOO_LARGE');
    await expectStillServing();
  });

  it('JSON nested 100,000 levels deep gets 400 INVALID_INPUT, and the server keeps answering', async () => {
    const depth = 100_000;
    const arrays = Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expectRefusal(await postUsers(arrays), 400, 'INVALID_INPUT');
    // Objects with a "__proto__" key at the bottom, so the prototype-poisoning scan walks all of it.
    const objects = Buffer.from(`${'{"a":'.repeat(depth)}{"__proto__":{"isAdmin":true}}${'}'.repeat(depth)}`);
    expectRefusal(await postUsers(objects), 400, 'INVALID_INPUT');
    // A valid request whose field is deeply nested where a string belongs.
    const nestedField = Buffer.from(
      `{"email":"hostile@contoso.com","displayName":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
    expectRefusal(await postUsers(nestedField), 400, 'INVALID_INPUT');
    await expectStillServing();
  });

  it('a body that is not UTF-8 gets 400 INVALID_INPUT and no user is created', async () => {
    // {"email":"hostile@contoso.com","displayName":"<ff fe c3 28>"}: bytes no UTF-8 decoder accepts.
    const bad = Buffer.concat([
      Buffer.from('{"email":"hostile@contoso.com","displayName":"Ho'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const reply = await postUsers(bad);
    expectRefusal(reply, 400, 'INVALID_INPUT');
    expect(reply.json.error.message).toMatch(/UTF-8/);
    await expectStillServing();
  });
});

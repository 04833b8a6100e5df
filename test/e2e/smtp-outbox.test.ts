/**
 * The capture outbox (no next hop configured): every accepted message is a complete `.eml`
 * plus `.json` sidecar under <dataDir>/outbox, listed and readable by id for the CLI and API.
 *
 * Fakes (test/support/smtp-fakes.ts): FakeSignIn for `authenticate`, FakeGuard for the
 * SubmissionGuard, FakeClock, MessageLog for `recordMessage`, TestLogger.
 */
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureOutbox } from '../../src/adapters/relay/capture-outbox.js';
import { startSmtpGateway, type SmtpGateway } from '../../src/adapters/smtp/smtp-gateway.js';
import { isDomainError } from '../../src/core/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeGuard, FakeSignIn, MessageLog, PASSWORD, TestLogger } from '../support/smtp-fakes.js';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';

const ROB = 'rob@contoso.com';
let dataDir: string;
let outbox: CaptureOutbox;
let gateway: SmtpGateway;
let client: SmtpTestClient;
const clock = new FakeClock('2026-11-22T10:30:00.000Z');
const log = new MessageLog();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sw-outbox-'));
  outbox = new CaptureOutbox(dataDir, clock);
  gateway = await startSmtpGateway(
    {
      authenticate: new FakeSignIn().authenticate,
      guard: new FakeGuard(),
      relay: outbox,
      recordMessage: log.record,
      logger: new TestLogger(),
      clock,
    },
    { host: '127.0.0.1', port: 0, dataDir, hostname: 'localhost', closeTimeoutMs: 500 },
  );
  client = await SmtpTestClient.connect(gateway.port);
  expect(await client.signIn(ROB, PASSWORD)).toBe('235 Authentication successful');
});

afterAll(async () => {
  client?.destroy();
  await gateway?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('capture outbox', () => {
  it('writes each accepted message and lists it, oldest first, under the id the client was told', async () => {
    const first = await client.sendMail(
      ROB,
      ['a@fabrikam.com', 'b@contoso.com'],
      simpleMessage(ROB, ['a@fabrikam.com'], 'first'),
    );
    clock.advance(60_000);
    const second = await client.sendMail(
      ROB,
      ['c@fabrikam.com'],
      simpleMessage(ROB, ['c@fabrikam.com'], 'second', '.a line starting with a dot'),
    );
    const ids = [first.final, second.final].map((r) => /^250 2\.0\.0 Ok: queued as (\S+)$/.exec(r ?? '')?.[1]);
    expect(ids.every((id) => id !== undefined)).toBe(true);

    const entries = await outbox.list();
    expect(entries.map((e) => e.id)).toEqual(ids);
    expect(entries[0]).toMatchObject({
      from: ROB,
      to: ['a@fabrikam.com', 'b@contoso.com'],
      subject: 'first',
      at: new Date('2026-11-22T10:30:00.000Z'),
    });
    expect(log.records.at(-1)).toMatchObject({ id: ids[1], outcome: 'captured' });

    const { entry, raw } = await outbox.read(ids[1]!);
    expect(entry.size).toBe(raw.length);
    // Dot-stuffing is undone: the stored message is what the user wrote.
    expect(raw.toString()).toContain('\r\n.a line starting with a dot\r\n');
    // The trace lines, then the client's bytes as sent, in one file written from both parts.
    const date = 'Sun, 22 Nov 2026 10:31:00 +0000';
    expect(raw.toString()).toBe(
      `Received: by localhost (Sendwarden) with ESMTPSA id ${ids[1]};\r\n\t${date}\r\nDate: ${date}\r\n` +
        `${simpleMessage(ROB, ['c@fabrikam.com'], 'second', '.a line starting with a dot')}\r\n`,
    );

    const files = (await readdir(join(dataDir, 'outbox'))).sort();
    expect(files).toEqual([
      `20261122T103000000Z-${ids[0]}.eml`,
      `20261122T103000000Z-${ids[0]}.json`,
      `20261122T103100000Z-${ids[1]}.eml`,
      `20261122T103100000Z-${ids[1]}.json`,
    ]);
  });

  it('refuses unknown and path-like ids with NOT_FOUND', async () => {
    for (const id of ['no-such-id', '../../etc/passwd', '']) {
      await expect(outbox.read(id)).rejects.toSatisfy((err: unknown) => isDomainError(err, 'NOT_FOUND'));
    }
  });

  it('answers 451 4.4.1 when the outbox cannot be written, and keeps what it had', async () => {
    const dir = join(dataDir, 'outbox');
    const aside = join(dataDir, 'outbox-aside');
    const before = await outbox.list();
    // A file where the directory should be fails for root too (unlike a read-only mode).
    await rename(dir, aside);
    await writeFile(dir, 'not a directory');
    try {
      const result = await client.sendMail(
        ROB,
        ['d@fabrikam.com'],
        simpleMessage(ROB, ['d@fabrikam.com'], 'unwritable'),
      );
      expect(result.final).toBe('451 4.4.1 Next hop unavailable, try again later');
    } finally {
      await rm(dir, { force: true });
      await rename(aside, dir);
    }
    expect(await outbox.list()).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

/**
 * The JSON log destination on files, as `sendwarden serve` and the bench's gateway use it: lines
 * gathered up to 4 KB are written in order and whole, end() writes the rest and closes the file,
 * and however many destinations a process opens it adds one 'exit' listener (a bench or a test
 * that starts ten gateways must not get Node's listener-leak warning). Fakes: none (real files).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_BUFFER_BYTES, logDestination } from '../../src/adapters/system/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sw-log-destination-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function seqs(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { seq: number }).seq);
}

describe('the JSON log destination', () => {
  it('writes every line once, in order, whole, across many 4 KB hand-overs, and the rest at end()', async () => {
    const file = path.join(dir, 'a.log');
    const destination = logDestination(file);
    const logger = pino({ base: undefined }, destination);
    // Lines of different lengths, some not ASCII, so hand-overs fall anywhere in a line.
    const count = 5000;
    for (let seq = 0; seq < count; seq++) logger.info({ seq, pad: 'é'.repeat(seq % 97) }, 'line');
    await destination.end();
    const text = await readFile(file, 'utf8');
    expect(text.length).toBeGreaterThan(20 * LOG_BUFFER_BYTES);
    expect(text.endsWith('\n')).toBe(true);
    expect(seqs(text)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('after end() drops lines instead of throwing; a flush and a second end() are harmless', async () => {
    const file = path.join(dir, 'b.log');
    const destination = logDestination(file);
    const logger = pino({ base: undefined }, destination);
    logger.info({ seq: 0 }, 'kept');
    await destination.end();
    expect(() => logger.info({ seq: 1 }, 'after the end')).not.toThrow();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    await destination.end();
    expect(seqs(await readFile(file, 'utf8'))).toEqual([0]);
  });

  it('adds one exit listener however many destinations are opened', async () => {
    const first = logDestination(path.join(dir, 'c0.log'));
    const before = process.listenerCount('exit');
    const more = Array.from({ length: 12 }, (_, i) => logDestination(path.join(dir, `c${i + 1}.log`)));
    expect(process.listenerCount('exit')).toBe(before);
    await Promise.all([first, ...more].map((d) => d.end()));
  });
});

/**
 * detached(): an equal string for every input, and one that no longer holds the request it was cut
 * from. The second is measured in a child process with --expose-gc (heap after GC), since only a
 * collected heap shows what a kept string retains. Fakes: none.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { detached } from '../../src/adapters/shared/detached.js';

describe('detached', () => {
  it('returns an equal string for ASCII, UTF-8 addresses, control characters and lone surrogates', () => {
    for (const s of [
      '',
      'a',
      'rob@contoso.com',
      'jürgen@bücher.example',
      '\u0000\n\t"\\',
      '\ud800x\udfff',
      '😀'.repeat(40),
    ])
      expect(detached(s)).toBe(s);
  });

  it('keeps far less heap than the substrings of a whole request (20,000 kept, measured after GC)', () => {
    // The same values the policy service keeps per message, cut from a ~1.5 kB request string.
    const script = `
      const { detached } = await import(${JSON.stringify(new URL('../../src/adapters/shared/detached.ts', import.meta.url).href)});
      const measure = (copy) => {
        const kept = [];
        globalThis.gc(); globalThis.gc();
        const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < 20000; i++) {
          const request = 'x'.repeat(1500) + ' someone' + i + '@remote.example.net ' + 'y'.repeat(20);
          const start = request.indexOf(' ') + 1;
          kept.push(copy(request.slice(start, request.indexOf(' ', start))));
        }
        globalThis.gc(); globalThis.gc();
        return (process.memoryUsage().heapUsed - before) / kept.length;
      };
      const cut = measure((s) => s);
      const own = measure(detached);
      process.stdout.write(JSON.stringify({ cut, own }));`;
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    const { cut, own } = JSON.parse(out) as { cut: number; own: number };
    expect(cut).toBeGreaterThan(1400); // the slice holds its ~1.5 kB parent
    expect(own).toBeLessThan(200); // the copy holds only itself
  });
});

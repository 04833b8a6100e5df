/**
 * Logs a person reads on a terminal are lines, not JSON; a pipe or a service manager gets JSON
 * lines (SENDWARDEN_LOG_FORMAT=auto). If this fails, the first-run banner and CLI output on a
 * terminal are interleaved with raw JSON, or a log collector gets text it cannot parse.
 */
import { describe, expect, it } from 'vitest';
import { prettyLine, resolveLogFormat } from '../../src/adapters/system/logger.js';

describe('log format', () => {
  it('auto is pretty on a terminal and JSON elsewhere; an explicit choice wins', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('a pino line becomes one readable line with the error message and no stack', () => {
    const json = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 11, 2, 9, 30, 5),
      msg: 'alert delivery failed for good',
      err: { message: 'connect ECONNREFUSED 127.0.0.1:9', stack: 'Error: connect\n    at x (y.js:1:1)' },
      channel: 'webhook',
    });
    const line = prettyLine(json);
    expect(line).toBe(
      '09:30:05 WARN alert delivery failed for good: connect ECONNREFUSED 127.0.0.1:9 (channel=webhook)',
    );
    expect(line).not.toContain('{');
    expect(line).not.toContain(' at ');
  });
});

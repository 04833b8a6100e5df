import type { z } from 'zod';
import { DomainError } from '../../core/errors.js';

/** Where a value came from, for the error sentence. */
export type InputPart = 'body' | 'query' | 'path';

function pathOf(part: InputPart, path: readonly PropertyKey[]): string {
  return [part, ...path.map(String)].join('.');
}

/**
 * Parses `value` with a zod schema or throws INVALID_INPUT naming the first problem precisely
 * ("Unknown field "isAdmin" in the request body", "body.limits.perDay: ..."), with every issue in details.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(part === 'body' && value === undefined ? {} : value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return {
        field: pathOf(part, i.path),
        message: `Unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    return { field: pathOf(part, i.path), message: i.message };
  });
  const first = issues[0] ?? { field: part, message: 'is not valid' };
  const where = part === 'path' ? 'the URL path' : part === 'query' ? 'the query string' : 'the request body';
  const sentence = first.message.startsWith('Unknown field')
    ? `${first.message} in ${where}.`
    : `${first.field}: ${first.message}.`;
  throw new DomainError('INVALID_INPUT', sentence, { details: { issues } });
}

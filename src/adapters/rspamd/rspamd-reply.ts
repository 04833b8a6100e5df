import type { ScannerAction, ScannerSymbol, ScanResult } from '../../ports/content-scorer.js';

/** Rspamd's action names (the `action` field of /checkv2) and what they mean to the gateway. */
const ACTIONS: Readonly<Record<string, ScannerAction>> = {
  reject: 'reject',
  'soft reject': 'soft-reject',
  'rewrite subject': 'rewrite-subject',
  'add header': 'add-header',
  greylist: 'greylist',
  'no action': 'no-action',
};

/** Symbols kept on the message record and in evidence. */
const MAX_SYMBOLS = 10;

/**
 * Reads a /checkv2 answer. Anything that is not a verdict on our message is `unavailable`, never
 * clean: HTML or an empty body, JSON without a known `action` or a numeric `score`, an `error`
 * field, and also Rspamd's own answer to a request without a message (an empty POST or a GET
 * answers `"action": "no action"` but has no `message-id` field, which every scanned message
 * has, "undef" when the message has no Message-ID header).
 */
export function parseCheckReply(body: string, scanner: string): ScanResult {
  const unavailable = (reason: string): ScanResult => ({ state: 'unavailable', scanner, reason });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return unavailable(
      body.trim() === '' ? 'Rspamd answered an empty body' : 'Rspamd answered something that is not JSON',
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return unavailable('Rspamd answered JSON that is not a verdict');
  const o = json as Record<string, unknown>;
  if (o['error'] !== undefined) return unavailable(`Rspamd answered an error: ${String(o['error']).slice(0, 200)}`);
  const action = typeof o['action'] === 'string' ? ACTIONS[o['action']] : undefined;
  if (action === undefined) return unavailable('Rspamd answered without a known action');
  const score = o['score'];
  if (typeof score !== 'number' || !Number.isFinite(score)) return unavailable('Rspamd answered without a score');
  if (!('message-id' in o)) return unavailable('Rspamd answered for no message (the request lost its body)');
  const required = o['required_score'];
  return {
    state: 'scored',
    scanner,
    action,
    score,
    requiredScore: typeof required === 'number' && Number.isFinite(required) ? required : null,
    symbols: topSymbols(o['symbols']),
  };
}

function topSymbols(raw: unknown): ScannerSymbol[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const symbols: ScannerSymbol[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = value as { name?: unknown; score?: unknown } | null;
    const name = typeof v?.name === 'string' ? v.name : key;
    const score = typeof v?.score === 'number' && Number.isFinite(v.score) ? v.score : 0;
    if (/^[\w.-]{1,64}$/.test(name)) symbols.push({ name, score });
  }
  // Strongest first; GTUBE scores 0 yet decides alone, so ties keep Rspamd's order.
  return symbols.sort((a, b) => Math.abs(b.score) - Math.abs(a.score)).slice(0, MAX_SYMBOLS);
}

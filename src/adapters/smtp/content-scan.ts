import type { SMTPServerSession } from 'smtp-server';
import type { ScannerVerdictRecord } from '../../core/sending/message-record.js';
import type { ScanResult } from '../../ports/content-scorer.js';
import type { GatewayContext, SessionState, Transaction } from './gateway-context.js';

/**
 * Starts the external scan (Rspamd) of one message, if a scanner is configured, so it runs while
 * the message is parsed. The scanner never throws and answers within its own timeout.
 */
export function startScan(
  ctx: GatewayContext,
  state: SessionState,
  session: SMTPServerSession,
  tx: Transaction,
  raw: Buffer,
  queueId: string,
): Promise<ScanResult> | undefined {
  const scanner = ctx.deps.scanner;
  if (scanner === undefined || state.user === null) return undefined;
  return scanner.scan({
    raw,
    mailFrom: tx.mailFrom,
    recipients: tx.accepted,
    clientAddress: state.clientAddress || null,
    user: state.user.email,
    helo: session.hostNameAppearsAs || null,
    queueId,
  });
}

/** What the message log keeps of a scan: the verdict when there was one. */
export function scannerRecord(scan: ScanResult | undefined): ScannerVerdictRecord | null {
  if (scan?.state !== 'scored') return null;
  return { name: scan.scanner, action: scan.action, score: scan.score, symbols: scan.symbols.map((s) => s.name) };
}

import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { GatewayContext, SessionState } from './gateway-context.js';
import type { ScannerVerdictRecord } from '../../core/sending/message-record.js';
import type { EvidenceCandidate } from '../../core/evidence/evidence-service.js';
import { scannerRecord, startScan } from './content-scan.js';
import { extractMessageFacts } from './message-facts.js';
import { formatTraceHeaders, headerValues, readHeaderFields } from './message-headers.js';
import { logMessage, newMessageId } from './message-log.js';
import { SMTP_OK, SmtpReply, replyForError } from './replies.js';

const CR = 0x0d;
const LF = 0x0a;

type Received =
  | { readonly kind: 'complete'; readonly raw: Buffer; readonly size: number }
  | { readonly kind: 'too-large'; readonly size: number }
  | { readonly kind: 'bare-line-ending'; readonly size: number }
  | { readonly kind: 'nul-byte'; readonly size: number }
  | { readonly kind: 'aborted'; readonly size: number };

/**
 * True when `chunk` holds a LF not preceded by CR, or a CR not followed by LF. `prev` is the
 * last byte of the previous chunk (-1 at the start); a CR at the very end is judged with the
 * next chunk (or at the end of the message).
 */
export function hasBareLineEnding(chunk: Uint8Array, prev: number): boolean {
  if (prev === CR && chunk[0] !== LF) return true;
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) {
    if ((i === 0 ? prev : buf[i - 1]) !== CR) return true;
  }
  for (let i = buf.indexOf(CR); i !== -1; i = buf.indexOf(CR, i + 1)) {
    if (i + 1 < buf.length && buf[i + 1] !== LF) return true;
  }
  return false;
}

/**
 * Reads the DATA stream, counting every byte and keeping at most `maxBytes` of them.
 * SMTP smuggling (a `<LF>.<LF>` or `<CR>.<CR>` end-of-data that the next hop would honour
 * but we would not) needs a bare CR or LF; refusing every message that has one makes it
 * impossible whatever the next hop's parser does.
 */
async function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<Received> {
  const chunks: Buffer[] = [];
  let size = 0;
  let prev = -1;
  let isBare = false;
  let hasNul = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        continue;
      }
      if (chunk.length === 0) continue;
      if (!isBare) isBare = hasBareLineEnding(chunk, prev);
      // A next hop that drops NUL before looking for the end of data could see a second message.
      if (!hasNul) hasNul = chunk.includes(0);
      prev = chunk[chunk.length - 1] ?? prev;
      chunks.push(chunk);
    }
  } catch {
    return { kind: 'aborted', size };
  }
  if (size > maxBytes) return { kind: 'too-large', size };
  if (isBare || prev === CR) return { kind: 'bare-line-ending', size };
  if (hasNul) return { kind: 'nul-byte', size };
  // The one copy of the message: mailparser, the body hash, Rspamd and the evidence vault read one
  // contiguous Buffer, and the next hop is handed this same Buffer after the trace lines.
  return { kind: 'complete', raw: Buffer.concat(chunks, size), size };
}

/**
 * DATA: size limit, line endings, content verdict, then the next hop. The client gets 250
 * only after the next hop took the message, so a 250 never hides a loss; every other ending
 * is one logged refusal with the reply of replies.ts (or the next hop's own permanent line).
 * Returns the text after `250 `.
 */
export async function receiveData(
  ctx: GatewayContext,
  state: SessionState,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
): Promise<string> {
  const user = state.user;
  const tx = state.transaction;
  // This transaction ends here, whatever the outcome.
  state.transaction = null;
  if (user === null || tx === null) {
    stream.resume();
    throw new DomainError('UNAUTHENTICATED', 'Sign in and give MAIL FROM before DATA.');
  }
  const { logger } = ctx.deps;
  const id = newMessageId();
  const received = await readMessage(stream, ctx.maxMessageBytes);
  if (received.kind === 'aborted') {
    void tx.hop?.abort();
    tx.hop = null;
    logger.info(
      { session: session.id, userId: user.id, bytes: received.size },
      'client went away during DATA; nothing relayed',
    );
    throw new DomainError('INVALID_INPUT', 'Connection closed during DATA.');
  }

  let subject: string | null = null;
  let spamScore: number | null = null;
  let isSpam = false;
  let scanner: ScannerVerdictRecord | null = null;
  let spamBy: readonly string[] = [];
  try {
    if (received.kind === 'too-large') {
      throw new DomainError('MESSAGE_TOO_LARGE', `${received.size} bytes exceed the limit of ${ctx.maxMessageBytes}.`);
    }
    if (received.kind === 'bare-line-ending') {
      throw new DomainError('BARE_LINE_ENDING', 'The message has a bare CR or LF line ending.');
    }
    if (received.kind === 'nul-byte') {
      throw new DomainError('NUL_BYTE', 'The message has a NUL byte.');
    }
    const envelope = { user, clientAddress: state.clientAddress, mailFrom: tx.mailFrom, accepted: [...tx.accepted] };
    const scanning = startScan(ctx, state, session, tx, received.raw, id);
    const facts = await extractMessageFacts(
      received.raw,
      { sender: tx.mailFrom, recipients: tx.accepted },
      state.internalDomains,
    );
    subject = facts.subject;
    const fields = readHeaderFields(received.raw);
    const senders = { from: headerValues(fields, 'From'), sender: headerValues(fields, 'Sender') };
    const scan = await scanning;
    scanner = scannerRecord(scan);
    const verdict = await ctx.deps.guard.checkMessage(envelope, facts, { senders, scan, messageId: id });
    spamScore = verdict.spamScore;
    isSpam = verdict.isSpam;
    spamBy = verdict.spamBy ?? [];
    if (verdict.kind !== 'accept') {
      await keepEvidence(ctx, {
        id,
        userId: user.id,
        evidence: verdict.evidence,
        reason: verdict.reason,
        subject,
        recipients: [...tx.accepted],
        spamScore: spamScore ?? 0,
        spamBy,
        scanner,
        raw: received.raw,
      });
      throw new DomainError(verdict.code, verdict.reason);
    }

    if (tx.hop === null) throw new DomainError('RELAY_UNAVAILABLE', 'The next-hop transaction is gone.');
    const hop = tx.hop;
    tx.hop = null;
    const trace = formatTraceHeaders(fields, {
      hostname: ctx.hostname,
      id,
      at: ctx.deps.clock.now(),
      protocol: session.secure ? 'ESMTPSA' : 'ESMTPA',
    });
    const sent = await hop.data([trace, received.raw], { id, subject });
    logger.info(
      { session: session.id, messageId: id, userId: user.id, nextHop: sent.reply, outcome: sent.outcome },
      'message handed on',
    );
    logMessage(ctx, state, {
      id,
      sender: tx.mailFrom,
      recipients: tx.accepted,
      recipientsRefused: tx.refused,
      transaction: tx,
      size: received.size,
      subject,
      spamScore,
      isSpam,
      scanner,
      spamBy,
      outcome: sent.outcome,
      reasonCode: null,
      reason: null,
      nextHopReply: sent.reply,
    });
    return SMTP_OK.queued(id).slice(4);
  } catch (err) {
    if (tx.hop !== null) void tx.hop.abort();
    tx.hop = null;
    const reply = replyForError(err, (e) =>
      logger.error({ err: e, session: session.id, messageId: id }, 'unexpected error in DATA'),
    );
    logger.info({ session: session.id, messageId: id, userId: user.id, reply }, 'message refused');
    const nextHopReply = isDomainError(err, 'RELAY_REJECTED') ? String(err.details?.['reply'] ?? '') || null : null;
    logMessage(ctx, state, {
      id,
      sender: tx.mailFrom,
      recipients: tx.accepted,
      recipientsRefused: tx.refused,
      transaction: tx,
      size: received.size,
      subject,
      spamScore,
      isSpam,
      scanner,
      spamBy,
      outcome: reply.startsWith('4') ? 'deferred' : 'rejected',
      reasonCode: isDomainError(err) ? err.code : 'INTERNAL',
      reason: isDomainError(err) ? err.message : 'Unexpected error.',
      nextHopReply,
    });
    throw new SmtpReply(reply);
  }
}

/** Hands a refused message to the evidence vault; its failure is logged, never the client's problem. */
async function keepEvidence(ctx: GatewayContext, candidate: EvidenceCandidate): Promise<void> {
  if (!ctx.deps.keepEvidence) return;
  try {
    await ctx.deps.keepEvidence(candidate);
  } catch (err) {
    ctx.deps.logger.error({ err, messageId: candidate.id }, 'keeping a message as evidence failed');
  }
}

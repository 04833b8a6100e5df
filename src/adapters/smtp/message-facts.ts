import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import { isInternalRecipient } from '../../core/policy/sending-limits.js';
import { collapseWhitespace } from '../../core/policy/whitespace.js';
import type { MessageFacts } from '../../ports/content-scorer.js';

const LINK = /\bhttps?:\/\/[^\s"'<>()]+/gi;
const HREF = /\bhref\s*=\s*["']?([^"'\s>]+)/gi;
const MAX_LINKS = 200;

function addressText(value: AddressObject | AddressObject[] | undefined): string | null {
  if (value === undefined) return null;
  const list = Array.isArray(value) ? value : [value];
  const text = list.map((a) => a.text).join(', ');
  return text === '' ? null : text;
}

function collectLinks(text: string, html: string): string[] {
  const links = new Set<string>();
  for (const m of text.matchAll(LINK)) links.add(m[0]);
  for (const m of html.matchAll(HREF)) if (m[1] !== undefined && !m[1].startsWith('#')) links.add(m[1]);
  for (const m of html.matchAll(LINK)) links.add(m[0]);
  return [...links].slice(0, MAX_LINKS);
}

// Crude but dependency-free: only used when a message has HTML and no text part.
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export { isInternalRecipient };

/**
 * Parses the raw message (mailparser) into the facts a content scorer may look at.
 * The body hash is over the whitespace-collapsed, lower-cased text, so the same body sent
 * to many with small layout changes still hashes alike.
 */
export async function extractMessageFacts(
  raw: Buffer,
  envelope: { readonly sender: string; readonly recipients: readonly string[] },
  internalDomains: readonly string[],
): Promise<MessageFacts> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  const text = parsed.text ?? htmlToText(html);
  const normalised = collapseWhitespace(text.toLowerCase()).trim();
  return {
    sender: envelope.sender,
    recipients: envelope.recipients,
    externalRecipients: envelope.recipients.filter((r) => !isInternalRecipient(r, internalDomains)).length,
    fromHeader: addressText(parsed.from),
    replyTo: addressText(parsed.replyTo),
    subject: parsed.subject ?? null,
    text,
    links: collectLinks(text, html),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
    })),
    bodyHash: createHash('sha256').update(normalised).digest('hex'),
  };
}

/** One header field of a message: its name as written and its unfolded, undecoded value. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** Where the header section ends: the index just after the CRLF that ends the last header line (0: none). */
function headerEnd(raw: Buffer): number {
  if (raw.subarray(0, 2).toString('latin1') === '\r\n') return 0;
  const blank = raw.indexOf('\r\n\r\n');
  return blank === -1 ? raw.length : blank + 2;
}

/** The header fields of a message (RFC 5322 section 2.2), folded lines joined, nothing decoded. */
export function readHeaderFields(raw: Buffer): readonly HeaderField[] {
  const text = raw.subarray(0, headerEnd(raw)).toString('utf8');
  const fields: HeaderField[] = [];
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    const last = fields.at(-1);
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      fields[fields.length - 1] = { name: last.name, value: `${last.value}${line}` };
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** Every value of the named header (case-insensitive). */
export function headerValues(fields: readonly HeaderField[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === lower).map((f) => f.value);
}

/** RFC 5322 section 3.3 date-time in UTC, e.g. `Tue, 01 Dec 2026 23:50:00 +0000`. */
export function rfc5322Date(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/** What the trace header says about this submission. */
export interface TraceInfo {
  /** SENDWARDEN_HOSTNAME. */
  readonly hostname: string;
  /** The gateway's message id (also in `queued as` and the message log). */
  readonly id: string;
  readonly at: Date;
  /** RFC 3848: ESMTPSA (TLS and AUTH) or ESMTPA (AUTH only, loopback testing). */
  readonly protocol: 'ESMTPSA' | 'ESMTPA';
}

/**
 * The header lines the gateway puts before the message it hands on: a `Received:` line first
 * (RFC 5321 section 4.4, RFC 3848 with type), then `Message-ID` and `Date` when the client left
 * them out (RFC 6409 section 8); the client's bytes follow unchanged, as a separate part, so the
 * whole message is never copied to prepend these. The client's address and name are left out on
 * purpose: a submitting user's home or mobile address is nobody's business at the recipient, and
 * the message log keeps it for admins (contract.md, "Trace").
 */
export function formatTraceHeaders(fields: readonly HeaderField[], trace: TraceInfo): Buffer {
  const date = rfc5322Date(trace.at);
  let lines = `Received: by ${trace.hostname} (Sendwarden) with ${trace.protocol} id ${trace.id};\r\n\t${date}\r\n`;
  if (headerValues(fields, 'Message-ID').length === 0) lines += `Message-ID: <${trace.id}@${trace.hostname}>\r\n`;
  if (headerValues(fields, 'Date').length === 0) lines += `Date: ${date}\r\n`;
  return Buffer.from(lines, 'utf8');
}

import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../../core/errors.js';
import type { Clock } from '../../ports/clock.js';
import type {
  Outbox,
  OutboxEntry,
  RecipientAnswer,
  Relay,
  RelayEnvelope,
  RelayMail,
  RelayMessageInfo,
  RelayResult,
  RelayTransaction,
} from '../../ports/relay.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

interface Sidecar {
  id: string;
  from: string;
  to: string[];
  size: number;
  subject: string | null;
  at: string;
  /** Secrets a Sendwarden notice carries (a reset code), for MessageReader to mask. */
  secrets?: string[];
}

// 2026-11-22T10:30:00.123Z -> 20261122T103000123Z: file names sort in time order.
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What the outbox writes as one file: the whole content, its parts in order, or a stream. */
type Content = Buffer | string | readonly Uint8Array[] | AsyncIterable<Uint8Array>;

/** Writes `content` to `path` so that a reader sees either nothing or the whole file. */
async function writeDurably(path: string, content: Content): Promise<number> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'wx', 0o640);
  let size = 0;
  try {
    if (typeof content === 'string' || Buffer.isBuffer(content)) {
      await handle.writeFile(content);
      size = Buffer.byteLength(content);
    } else if (isParts(content)) {
      await writeFile(handle, content);
      for (const part of content) size += part.byteLength;
    } else {
      for await (const chunk of content) {
        await handle.write(chunk);
        size += chunk.byteLength;
      }
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, path);
  return size;
}

function isParts(content: Content): content is readonly Uint8Array[] {
  return Array.isArray(content);
}

function toEntry(s: Sidecar): OutboxEntry {
  const entry = { id: s.id, from: s.from, to: s.to, size: s.size, subject: s.subject, at: new Date(s.at) };
  return s.secrets && s.secrets.length > 0 ? { ...entry, holdsSecret: true } : entry;
}

/**
 * The relay when there is no next hop: each accepted message becomes
 * `<dataDir>/outbox/<time>-<id>.eml` plus a `.json` sidecar (from, to, size, subject, at).
 * Both are fsynced and renamed into place, the `.eml` first, so a listed message is always
 * complete and a 250 is never given for a message a crash could lose.
 */
export class CaptureOutbox implements Relay, Outbox {
  readonly #dir: string;
  readonly #clock: Clock;

  constructor(dataDir: string, clock: Clock) {
    this.#dir = join(dataDir, 'outbox');
    this.#clock = clock;
  }

  send(
    envelope: RelayEnvelope,
    raw: Buffer | AsyncIterable<Uint8Array>,
    info?: RelayMessageInfo,
  ): Promise<RelayResult> {
    return this.#capture(envelope, raw, info);
  }

  async #capture(envelope: RelayEnvelope, raw: Content, info?: RelayMessageInfo): Promise<RelayResult> {
    const id = info?.id !== undefined && ID.test(info.id) ? info.id : randomUUID();
    const at = this.#clock.now();
    const base = join(this.#dir, `${stamp(at)}-${id}`);
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o750 });
      const size = await writeDurably(`${base}.eml`, raw);
      const sidecar: Sidecar = {
        id,
        from: envelope.from,
        to: [...envelope.to],
        size,
        subject: info?.subject ?? null,
        at: at.toISOString(),
        ...(info?.secrets && info.secrets.length > 0 ? { secrets: [...info.secrets] } : {}),
      };
      await writeDurably(`${base}.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
      await syncDir(this.#dir);
    } catch (err) {
      throw new DomainError('RELAY_UNAVAILABLE', `Cannot write to the capture outbox ${this.#dir}.`, { cause: err });
    }
    return { reply: `250 captured in outbox as ${id}`, outcome: 'captured' };
  }

  /** The outbox takes every recipient (it delivers nowhere); DATA writes the file for them. */
  async begin(mail: RelayMail): Promise<RelayTransaction> {
    const to: string[] = [];
    let done = false;
    return {
      addRecipient: async (recipient): Promise<RecipientAnswer> => {
        if (!to.includes(recipient)) to.push(recipient);
        return { accepted: true, reply: '250 2.1.5 Ok' };
      },
      data: async (parts, info) => {
        if (done) throw new DomainError('RELAY_UNAVAILABLE', 'The capture transaction already ended.');
        done = true;
        return this.#capture({ from: mail.from, to }, parts, info);
      },
      abort: async () => {
        done = true;
      },
    };
  }

  async close(): Promise<void> {}

  async list(): Promise<readonly OutboxEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new DomainError('DATA_DIR_NOT_WRITABLE', `Cannot read the capture outbox ${this.#dir}.`, { cause: err });
    }
    const sidecars = names.filter((n) => n.endsWith('.json')).sort();
    const entries = await Promise.all(
      sidecars.map(async (n) => toEntry(JSON.parse(await readFile(join(this.#dir, n), 'utf8')) as Sidecar)),
    );
    return entries;
  }

  async read(id: string): Promise<{ readonly entry: OutboxEntry; readonly raw: Buffer; readonly secrets: string[] }> {
    const names = ID.test(id) ? await readdir(this.#dir).catch(() => [] as string[]) : [];
    const name = names.find((n) => n.endsWith(`-${id}.json`));
    if (name === undefined)
      throw new DomainError('NOT_FOUND', `No captured message with id ${id}.`, { details: { id } });
    const sidecar = JSON.parse(await readFile(join(this.#dir, name), 'utf8')) as Sidecar;
    const raw = await readFile(join(this.#dir, `${name.slice(0, -'.json'.length)}.eml`));
    return { entry: toEntry(sidecar), raw, secrets: sidecar.secrets ?? [] };
  }
}

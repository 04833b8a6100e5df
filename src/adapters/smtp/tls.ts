import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { DomainError } from '../../core/errors.js';

/** A PEM key and certificate for STARTTLS and implicit TLS. */
export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** True when this call created them (first run). */
  readonly created: boolean;
}

async function readPair(dir: string): Promise<{ key: string; cert: string } | null> {
  try {
    const [key, cert] = await Promise.all([
      readFile(join(dir, 'key.pem'), 'utf8'),
      readFile(join(dir, 'cert.pem'), 'utf8'),
    ]);
    return { key, cert };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

// Written to a temporary name, fsynced, then renamed: a crash never leaves a half key behind.
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

/**
 * Loads `<dataDir>/tls/key.pem` and `cert.pem`, or creates a self-signed pair once (key mode
 * 0600) so a fresh install offers STARTTLS at once. An admin replaces the two files with real ones.
 */
export async function loadOrCreateTls(dataDir: string, hostname: string): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  try {
    const existing = await readPair(dir);
    if (existing !== null) return { ...existing, created: false };
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const altNames = [
      { type: 2 as const, value: hostname },
      { type: 2 as const, value: 'localhost' },
      { type: 7 as const, ip: '127.0.0.1' },
      { type: 7 as const, ip: '::1' },
    ];
    const pems = await generate([{ name: 'commonName', value: hostname }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    });
    await writeAtomically(join(dir, 'key.pem'), pems.private, 0o600);
    await writeAtomically(join(dir, 'cert.pem'), pems.cert, 0o644).catch(async (err: unknown) => {
      await rm(join(dir, 'key.pem'), { force: true });
      throw err;
    });
    return { key: pems.private, cert: pems.cert, created: true };
  } catch (err) {
    throw new DomainError('DATA_DIR_NOT_WRITABLE', `Cannot read or create the TLS key and certificate under ${dir}.`, {
      cause: err,
    });
  }
}

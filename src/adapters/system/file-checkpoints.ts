import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { CheckpointFile } from '../../ports/audit-checkpoints.js';

/**
 * Audit checkpoints in a file of the data folder, one JSON line each. Opened O_APPEND for every
 * write: the server and CLI processes (and nodes sharing the folder) each add whole lines at the
 * end and never overwrite one. The database never sees this file, which is the point.
 */
export class FileCheckpoints implements CheckpointFile {
  readonly where: string;

  constructor(file: string) {
    this.where = file;
  }

  async read(): Promise<readonly string[] | null> {
    try {
      const lines = (await readFile(this.where, 'utf8')).split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async append(line: string, create: boolean): Promise<boolean> {
    let fh;
    try {
      fh = await open(this.where, constants.O_WRONLY | constants.O_APPEND | (create ? constants.O_CREAT : 0), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !create) return false;
      throw err;
    }
    try {
      // One write call per line, so two appenders cannot interleave within a line.
      await fh.write(`${line}\n`);
      await fh.datasync();
      return true;
    } finally {
      await fh.close();
    }
  }
}

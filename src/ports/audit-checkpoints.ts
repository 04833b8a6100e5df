/**
 * Where signed audit checkpoints are kept, outside the database: an append-only file in the data
 * folder. The port only stores lines; core/audit/checkpoint.ts decides what a line means.
 */
export interface CheckpointFile {
  /** Where the checkpoints are (a path), for the sentences of `audit verify`. */
  readonly where: string;
  /** Every line, oldest first; null when the file does not exist. */
  read(): Promise<readonly string[] | null>;
  /**
   * Appends one line (opened with O_APPEND, so concurrent writers never overwrite each other).
   * Creates the file only when `create` is true; resolves false when it does not exist and may not be created.
   */
  append(line: string, create: boolean): Promise<boolean>;
}

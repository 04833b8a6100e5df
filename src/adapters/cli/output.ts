/** Where the CLI writes: stdout for results, stderr for progress and errors (injectable for tests). */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal (progress bars only there). */
  readonly isTty: boolean;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTty: Boolean(process.stderr.isTTY),
};

/** Machine-readable output: one JSON document on stdout. */
export function printJson(o: Output, value: unknown): void {
  o.out(JSON.stringify(value, null, 2));
}

/** A plain text table with padded columns. */
export function printTable(o: Output, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  o.out(line(headers));
  for (const r of rows) o.out(line(r));
}

/** A progress bar redrawn in place on a terminal; silent elsewhere. */
export function progressBar(o: Output, label: string): (done: number, total: number) => void {
  if (!o.isTty) return () => {};
  return (done, total) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done >= total ? '\n' : ''}`,
    );
  };
}

/** A column: header text and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  get: (row: T) => unknown;
}

export interface TableOptions {
  /** Bold header when true; callers pass `colorEnabled(...)`. */
  color?: boolean;
}

/**
 * Renders rows as an aligned, space-padded table with an upper-case header (kubectl style). Cells are
 * never truncated; null and undefined render as `-` so columns stay aligned for `awk`.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], opts: TableOptions = {}): string {
  const header = columns.map((c) => c.header.toUpperCase());
  const body = rows.map((r) => columns.map((c) => cell(c.get(r))));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  const head = line(header);
  return `${[opts.color ? `\u001b[1m${head}\u001b[22m` : head, ...body.map(line)].join('\n')}\n`;
}

/** Renders an object as `key: value` lines with aligned values (for single resources). */
export function renderFields(fields: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${cell(v)}`.trimEnd()).join('\n') + '\n';
}

export function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.length === 0 ? '-' : v.map(cell).join(',');
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length === 0 ? '-' : entries.map(([k, x]) => `${k}=${cell(x)}`).join(',');
  }
  return String(v);
}

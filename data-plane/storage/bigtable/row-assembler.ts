/** One chunk of a ReadRows response (google.bigtable.v2.ReadRowsResponse.CellChunk). */
export interface CellChunk {
  rowKey?: Buffer | null;
  familyName?: { value?: string } | null;
  qualifier?: { value?: Buffer } | null;
  value?: Buffer | null;
  resetRow?: boolean;
  commitRow?: boolean;
}

/**
 * Rows from the chunks of a ReadRows response stream: a row starts at a chunk with a row key, its
 * cell at a chunk naming family and column, a cell's value may span chunks, `resetRow` drops what
 * the row had so far and `commitRow` completes it. Each row here keeps the value of one cell
 * (`family:column`), empty when the row has none or when values were stripped.
 */
export class RowAssembler {
  readonly out: { key: Buffer; value: Buffer }[] = [];
  private key: Buffer | undefined;
  private parts: Buffer[] = [];
  private inCell = false;

  constructor(
    private readonly family: string,
    private readonly column: string,
  ) {}

  add(chunks: readonly CellChunk[]): void {
    for (const c of chunks) {
      if (c.resetRow) {
        this.key = undefined;
        this.parts = [];
        this.inCell = false;
        continue;
      }
      if (c.rowKey && c.rowKey.length > 0) {
        this.key = c.rowKey;
        this.parts = [];
      }
      // a chunk naming a family or a column starts a cell (an omitted one is the previous cell's)
      if (c.familyName || c.qualifier) {
        const family = c.familyName?.value ?? this.family;
        const column = c.qualifier?.value?.toString('latin1') ?? this.column;
        this.inCell = family === this.family && column === this.column;
      }
      if (this.inCell && c.value && c.value.length > 0) this.parts.push(c.value);
      if (c.commitRow && this.key !== undefined) {
        const p = this.parts;
        this.out.push({ key: this.key, value: p.length === 1 ? p[0]! : Buffer.concat(p) });
        this.key = undefined;
        this.parts = [];
        this.inCell = false;
      }
    }
  }
}

/**
 * One string object per distinct label name or value: many series share a few strings (job,
 * instance, metric names), so holding one instance of each saves memory, and comparing two labels
 * that hold the same instance is a pointer compare instead of a char-by-char one.
 */
export class SymbolTable {
  private readonly strings = new Map<string, string>();

  get size(): number {
    return this.strings.size;
  }

  /** The table's instance of `s`, which becomes `s` itself the first time. */
  intern(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    this.strings.set(s, s);
    return s;
  }

  clear(): void {
    this.strings.clear();
  }
}

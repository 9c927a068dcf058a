/** Date ↔ ms conversions at the repository boundary; the domain only sees ms. */
export const ms = (d: Date): number => d.getTime();
export const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());
export const date = (t: number): Date => new Date(t);
export const dateOrNull = (t: number | null): Date | null => (t === null ? null : new Date(t));

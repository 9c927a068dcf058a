import { BadDataError } from '../../data-plane/model/index.js';

/** Opaque cursors: base64url of a JSON value, so clients never depend on their contents. */
export function encodeCursor(v: string | number): string {
  return Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
}

/**
 * `string` cursors carry a key; `id` cursors a row ID, which must be a non-negative safe integer (a
 * forged `1e400` or `1.5` would otherwise reach the database as a bad parameter: a 500, not a 400).
 */
export function decodeCursor<T extends 'string' | 'id'>(c: string, type: T): T extends 'string' ? string : number {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (type === 'string' ? typeof v === 'string' : Number.isSafeInteger(v) && (v as number) >= 0) {
      return v as T extends 'string' ? string : number;
    }
  } catch {
    // falls through to the error below
  }
  throw new BadDataError(`invalid cursor ${JSON.stringify(c.slice(0, 40))}: pass back nextCursor from a previous page`);
}

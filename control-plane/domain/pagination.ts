import { BadDataError } from '../../data-plane/model/index.js';

/** Opaque cursors: base64url of a JSON value, so clients never depend on their contents. */
export function encodeCursor(v: string | number): string {
  return Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
}

export function decodeCursor<T extends 'string' | 'number'>(c: string, type: T): T extends 'string' ? string : number {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (typeof v === type) return v as T extends 'string' ? string : number;
  } catch {
    // falls through to the error below
  }
  throw new BadDataError(`invalid cursor ${JSON.stringify(c.slice(0, 40))}: pass back nextCursor from a previous page`);
}

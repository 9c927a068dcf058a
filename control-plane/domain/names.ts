import { BadDataError } from '../../data-plane/model/index.js';

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Namespace and group names come from URL paths: 1-255 characters, no `/`, no control characters,
 * not `.` or `..` (they end up in keys and file-like paths downstream).
 */
export function parseObjectName(s: string, what: string): string {
  if (s.length === 0 || s.length > 255) throw new BadDataError(`${what}: must be 1-255 characters`);
  if (s === '.' || s === '..') throw new BadDataError(`${what}: "." and ".." are not allowed`);
  if (/[/\\\u0000-\u001f\u007f]/.test(s)) {
    throw new BadDataError(`${what}: ${JSON.stringify(s.slice(0, 60))} contains "/", "\\" or a control character`);
  }
  return s;
}

export function checkLabelName(name: string, what: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) {
    throw new BadDataError(
      `${what}: invalid label name ${JSON.stringify(name.slice(0, 60))} (must match ${LABEL_NAME.source} and not start with "__")`,
    );
  }
}

import { BadDataError, type ErrorId } from '../model/index.js';

/**
 * A series, sample, exemplar or metadata entry that can never be accepted as sent. Validators return
 * it (batch paths do not throw per item); the distributor drops the item, counts it under `reason` in
 * `cortex_discarded_samples_total` and lists the message in the partial-write 400.
 */
export class ValidationError extends BadDataError {
  declare readonly id: ErrorId;

  constructor(id: ErrorId, message: string) {
    super(message, { id });
  }

  /** The `reason` label of `cortex_discarded_samples_total`: the error ID (house style §4.3). */
  get reason(): string {
    return this.id;
  }
}

/**
 * Builds the public message: `<what> (<id>)`, plus the flag to raise when a per-tenant limit was hit,
 * in Mimir's wording so operators recognise it.
 */
export function withId(what: string, id: ErrorId, limitFlag?: string): string {
  const base = `${what} (${id}).`;
  if (limitFlag === undefined) return base.slice(0, -1);
  return `${base} To adjust the related per-tenant limit, configure -${limitFlag}, or contact your service administrator.`;
}

const MAX_SERIES_CHARS = 200;

/** `up{job="node", …}` from a flat label array, cut to a readable length for error messages. */
export function formatSeries(flat: readonly string[]): string {
  let name = '';
  const parts: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i] === '__name__') name = flat[i + 1]!;
    else parts.push(`${flat[i]}=${JSON.stringify(flat[i + 1])}`);
  }
  const s = parts.length === 0 ? name || '{}' : `${name}{${parts.join(', ')}}`;
  return truncate(s, MAX_SERIES_CHARS);
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

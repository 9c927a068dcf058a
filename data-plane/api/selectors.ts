import { BadDataError, type Matcher } from '../model/index.js';
import { parseExpr } from '../promql/index.js';

/**
 * Parses a `match[]` series selector (`up{job="api"}`) into matchers with the PromQL parser, as
 * Prometheus's parser.ParseMetricSelector does; anything but a plain vector selector is bad_data.
 */
export function parseSeriesSelector(s: string): Matcher[] {
  const e = parseExpr(s);
  if (
    e.type !== 'VectorSelector' ||
    e.offset !== 0 ||
    e.offsetExpr !== undefined ||
    e.timestamp !== undefined ||
    e.startOrEnd !== undefined
  ) {
    throw new BadDataError(
      `invalid parameter "match[]": expected a series selector like up{job="api"}, got ${JSON.stringify(s)}`,
    );
  }
  return e.matchers;
}

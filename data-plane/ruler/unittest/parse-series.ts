import { Labels } from '../../model/index.js';
import { parseExpr } from '../../promql/index.js';

/** Parses a series description like `up{job="a"}` (or `{__name__="up"}`) into labels. */
export function parseSeriesLabels(text: string): Labels {
  const e = parseExpr(text);
  if (e.type !== 'VectorSelector') throw new Error(`not a series description: ${JSON.stringify(text)}`);
  const pairs: [string, string][] = [];
  for (const m of e.matchers) {
    if (m.type !== '=') throw new Error(`series descriptions use only "=" matchers: ${JSON.stringify(text)}`);
    pairs.push([m.name, m.value]);
  }
  return Labels.fromPairs(pairs);
}

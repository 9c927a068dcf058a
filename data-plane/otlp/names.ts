/**
 * Metric, unit and label name translation as Prometheus 3.x does it for OTLP (a port of
 * prometheus/otlptranslator's MetricNamer, UnitNamer and LabelNamer; Prometheus's defaults for label
 * sanitization: `key_` for a leading digit or single underscore, multiple underscores preserved).
 */
import { OTLP_TRANSLATION_STRATEGIES } from '../validation/index.js';

/** The strategies in the order of the `otlp_translation_strategy` limit's numbers. */
export const TRANSLATION_STRATEGIES = OTLP_TRANSLATION_STRATEGIES;
export type TranslationStrategy = (typeof TRANSLATION_STRATEGIES)[number];

export const shouldEscape = (s: TranslationStrategy) =>
  s === 'UnderscoreEscapingWithSuffixes' || s === 'UnderscoreEscapingWithoutSuffixes';
export const shouldAddSuffixes = (s: TranslationStrategy) =>
  s === 'UnderscoreEscapingWithSuffixes' || s === 'NoUTF8EscapingWithSuffixes';

/** otlptranslator MetricType: what decides the `_total` and `_ratio` suffixes. */
export type NamerMetricType =
  | 'gauge'
  | 'monotonic_counter'
  | 'non_monotonic_counter'
  | 'histogram'
  | 'exponential_histogram'
  | 'summary';

const UNIT_MAP: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};
const PER_UNIT_MAP: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const get = (m: Record<string, string>, k: string) => (Object.hasOwn(m, k) ? m[k]! : k);

function unitSuffixes(unit: string): [main: string, per: string] {
  const slash = unit.indexOf('/');
  const mainOtel = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  let main = '';
  let per = '';
  if (mainOtel !== '' && !/[{}]/.test(mainOtel)) main = get(UNIT_MAP, mainOtel);
  if (slash >= 0 && unit.slice(slash + 1) !== '') {
    const perOtel = unit.slice(slash + 1).trim();
    if (perOtel !== '' && !/[{}]/.test(perOtel)) per = get(PER_UNIT_MAP, perOtel);
    if (per !== '') per = `per_${per}`;
  }
  return [main, per];
}

const isMetricChar = (c: string) => /^[a-zA-Z0-9:]$/.test(c);

/** strings.FieldsFunc(s, not valid) — the tokens between runs of invalid characters. */
function tokens(s: string, valid: (c: string) => boolean): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of s) {
    if (valid(c)) cur += c;
    else if (cur !== '') {
      out.push(cur);
      cur = '';
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function cleanUpUnit(unit: string): string {
  let s = '';
  for (const c of unit) s += isMetricChar(c) ? c : '_';
  return s.replace(/_+/g, '_').replace(/^_/, '');
}

/** UnitNamer.Build: the unit as metadata shows it (`ms` → `milliseconds`, `By/s` → `bytes_per_second`). */
export function buildUnit(unit: string): string {
  let [main, per] = unitSuffixes(unit);
  main = cleanUpUnit(main);
  per = cleanUpUnit(per);
  let u = main !== '' && per !== '' ? `${main}_${per}` : main !== '' ? main : per;
  if (u.startsWith('_')) u = u.slice(1);
  if (u.endsWith('_')) u = u.slice(0, -1);
  return u;
}

/**
 * MetricNamer.Build: the Prometheus metric name of an OTLP metric, or an error message when the
 * result would be empty or only underscores.
 */
export function buildMetricName(
  strategy: TranslationStrategy,
  name: string,
  unit: string,
  type: NamerMetricType,
): { name: string } | { error: string } {
  const suffixes = shouldAddSuffixes(strategy);
  if (!shouldEscape(strategy)) return { name: suffixes ? utf8Name(name, unit, type) : name };
  let out: string;
  if (suffixes) out = normalizeName(name, unit, type);
  else {
    out = tokens(name, (c) => isMetricChar(c) || c === '_').join('_');
    if (/^[0-9]/.test(out)) out = `_${out}`;
  }
  if (out === '') return { error: `normalization for metric ${JSON.stringify(name)} resulted in an empty name` };
  if (out !== name && /^_+$/.test(out)) {
    return {
      error: `normalization for metric ${JSON.stringify(name)} resulted in invalid name ${JSON.stringify(out)}`,
    };
  }
  return { name: out };
}

function normalizeName(name: string, unit: string, type: NamerMetricType): string {
  let t = tokens(name, isMetricChar);
  const [main, per] = unitSuffixes(unit);
  let mainS = cleanUpUnit(main);
  let perS = cleanUpUnit(per);
  if (t.includes(mainS)) mainS = '';
  if (perS === 'per_') perS = '';
  else {
    perS = perS.replace(/_$/, '');
    if (t.includes(perS)) perS = '';
  }
  if (perS !== '') mainS = mainS.replace(/_$/, '');
  if (mainS !== '') t.push(mainS);
  if (perS !== '') t.push(perS);
  if (type === 'monotonic_counter') t = [...t.filter((x) => x !== 'total'), 'total'];
  if (unit === '1' && type === 'gauge') t = [...t.filter((x) => x !== 'ratio'), 'ratio'];
  let out = t.join('_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

function trimSuffixAndDelimiter(name: string, suffix: string): string {
  return name.endsWith(suffix) && name.length > suffix.length + 1
    ? name.slice(0, name.length - suffix.length - 1)
    : name;
}

/** buildMetricName with UTF-8 allowed: suffixes added, nothing escaped. */
function utf8Name(input: string, unit: string, type: NamerMetricType): string {
  let name = input;
  const tail: string[] = [];
  if (unit === '1' && type === 'gauge') {
    name = trimSuffixAndDelimiter(name, 'ratio');
    tail.unshift('_ratio');
  }
  if (type === 'monotonic_counter') {
    name = trimSuffixAndDelimiter(name, 'total');
    tail.unshift('_total');
  }
  const [main, per] = unitSuffixes(unit);
  if (per !== '') {
    name = trimSuffixAndDelimiter(name, per);
    tail.unshift(`_${per}`);
  }
  if (main !== '' && !name.endsWith(main)) name = `${name}_${main}`;
  return name + tail.join('');
}

const isLabelChar = (c: string) => /^[a-zA-Z0-9]$/.test(c);

/**
 * LabelNamer.Build with Prometheus's default OTLP settings (underscore sanitization on, multiple
 * underscores preserved), or the name as sent when UTF-8 is allowed. An error for names that are empty
 * or only underscores.
 */
export function buildLabelName(label: string, utf8: boolean): { name: string } | { error: string } {
  if (label === '') return { error: 'label name is empty' };
  if (utf8) {
    return /^_+$/.test(label)
      ? { error: `label name ${JSON.stringify(label)} contains only underscores` }
      : { name: label };
  }
  let out = '';
  for (const c of label) out += isLabelChar(c) ? c : '_';
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  if (/^_+$/.test(out)) {
    return {
      error: `normalization for label name ${JSON.stringify(label)} resulted in invalid name ${JSON.stringify(out)}`,
    };
  }
  return { name: out };
}

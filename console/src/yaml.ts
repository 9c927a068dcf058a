/**
 * A small YAML writer for the read-only views (rule groups): maps, lists, numbers and strings, with
 * strings quoted whenever a plain scalar could be read back as something else, and multi-line
 * strings (PromQL, annotations) as literal blocks. Keys keep their insertion order.
 */
export type YamlValue = string | number | boolean | null | undefined | YamlValue[] | { [k: string]: YamlValue };

// Plain scalars that a YAML 1.1/1.2 reader would take for something other than this string.
// Anything starting like a number is quoted, which also covers hex, octal, sexagesimal and dates.
const RESERVED = /^(?:~|null|true|false|yes|no|on|off|y|n|[-+]?\.(?:inf|nan))$|^[-+]?\.?[0-9]/i;

function scalar(s: string): string {
  if (
    s === '' ||
    RESERVED.test(s) ||
    /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) ||
    /\s$/.test(s) ||
    /: |\s#|[\u0000-\u001f\u007f]/.test(s) ||
    s.endsWith(':')
  ) {
    return JSON.stringify(s);
  }
  return s;
}

function block(s: string, indent: string): string {
  // A trailing newline decides between keep (|) and strip (|-) chomping.
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  return `|${chomp}\n${body
    .split('\n')
    .map((l) => (l === '' ? '' : indent + l))
    .join('\n')}`;
}

function isBlockable(s: string): boolean {
  // Literal blocks cannot hold leading spaces on the first line, tabs-only lines or control characters.
  return s.includes('\n') && !/^\s/.test(s) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s);
}

function emit(v: YamlValue, indent: string, out: string[], prefix: string): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return void out.push(`${prefix} []`);
    if (prefix !== '') out.push(prefix);
    for (const item of v) {
      const lines: string[] = [];
      emit(item, `${indent}  `, lines, '');
      // The first line of the item goes after "- "; the rest keep their indentation.
      const [first = '', ...rest] = lines;
      out.push(`${indent}- ${first.trimStart()}`, ...rest);
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return void out.push(`${prefix} {}`);
    if (prefix !== '') out.push(prefix);
    for (const [k, x] of entries) emit(x, `${indent}  `, out, `${indent}${scalar(k)}:`);
    return;
  }
  const text =
    v === null || v === undefined
      ? 'null'
      : typeof v === 'string'
        ? isBlockable(v)
          ? block(v, indent)
          : scalar(v)
        : String(v);
  out.push(prefix === '' ? `${indent}${text}` : `${prefix} ${text}`);
}

/** The YAML document for `v` (ends with a newline). */
export function toYaml(v: YamlValue): string {
  const out: string[] = [];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) emit(x, '  ', out, `${scalar(k)}:`);
  } else emit(v, '', out, '');
  return `${out.join('\n')}\n`;
}

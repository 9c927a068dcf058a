import { createRequire } from 'node:module';

// yaml is loaded on the first `-o yaml` only (start-up time); require keeps renderData synchronous.
const lazyRequire = createRequire(import.meta.url);

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Serialises data for `-o json` / `-o yaml`; always ends with a newline. */
export function renderData(data: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const { stringify } = lazyRequire('yaml') as typeof import('yaml');
  return stringify(data, { lineWidth: 0 });
}

/**
 * Colour only for a TTY and only when NO_COLOR is unset and TERM is not `dumb`
 * (https://no-color.org, clig.dev). FORCE_COLOR forces it on.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

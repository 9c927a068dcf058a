/**
 * Known gaps of the TS engine against the upstream PromQL test files: ONE list, each entry with a
 * reason. `line` is the line of the `eval` command in the file; `line: 0` skips the whole file.
 * Entries only ever get removed: when a gap closes, delete its lines (a skipped case that passes
 * is fine; a listed case must never hide a regression of a case that passed before).
 */
export interface Skip {
  file: string;
  line: number;
  reason: string;
}

export const SKIPS: readonly Skip[] = [
  {
    file: 'start_timestamps.test',
    line: 0,
    reason: 'the chunk store has no chunk encoding with start timestamps yet (engine and pool pass)',
  },
];

/** The reason a case is skipped, or undefined when it must pass. */
export function skipReason(file: string, line: number): string | undefined {
  for (const s of SKIPS) if (s.file === file && (s.line === 0 || s.line === line)) return s.reason;
  return undefined;
}

/**
 * YAML indicators (line breaks, flow separators, anchors, aliases, tags, `: `, `- `, `? `) a config
 * body may hold. The yaml library takes more than linear time on some inputs with many of them (one
 * 1 MiB line of `name: name: …` took 17 s of event-loop time, found by the rules-yaml fuzz target); at
 * this bound the worst input found costs about a second. 20,000 is far above any real rule group or
 * Alertmanager config. Shared by the config API, which refuses such a body, and the CLI, which says so
 * before parsing a file (the same cost: a 1 MiB Alertmanager file took 9 minutes to verify, found by
 * the cli-input fuzz target).
 */
export const MAX_YAML_INDICATORS = 20_000;

/** Counts the YAML indicators of `s` (see MAX_YAML_INDICATORS). */
export function countYamlIndicators(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    switch (s.charCodeAt(i)) {
      case 10: // \n
      case 44: // ,
      case 91: // [
      case 123: // {
      case 38: // &
      case 42: // *
      case 33: // !
        n++;
        break;
      case 58: // ':', '-', '?' followed by a space: mapping, sequence and complex-key indicators
      case 45:
      case 63: {
        const next = s.charCodeAt(i + 1);
        if (next === 32 || next === 9) n++;
        break;
      }
    }
  }
  return n;
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuleGroup } from './rule-file.js';
import { type Problem, parseRuleFile, type RuleFile } from './rule-file.js';

/** Rule groups by namespace, in file order, as read from local files. */
export type LocalRules = Map<string, RuleGroup[]>;

export interface LoadedRules {
  files: RuleFile[];
  rules: LocalRules;
  problems: Problem[];
}

/** Expands directories to the `*.yml`/`*.yaml` files under them (recursively, sorted). */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${p}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
    });
    if (!s.isDirectory()) {
      out.push(p);
      continue;
    }
    const entries = (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    const nested = entries.filter((e) => e.isDirectory() || /\.ya?ml$/i.test(e.name)).map((e) => join(p, e.name));
    out.push(...(await expandPaths(nested)));
  }
  return out;
}

/**
 * Reads and validates rule files. Groups from several files may share a namespace; a group name seen
 * twice in one namespace is a problem. Unreadable paths throw.
 */
export async function loadRuleFiles(paths: readonly string[], namespace?: string): Promise<LoadedRules> {
  const files: RuleFile[] = [];
  for (const path of await expandPaths(paths)) {
    const text = await readFile(path, 'utf8').catch((err: Error) => {
      throw new Error(`cannot read ${path}: ${err.message}`);
    });
    files.push(parseRuleFile(path, text, namespace));
  }
  const rules: LocalRules = new Map();
  const problems = files.flatMap((f) => f.problems);
  const origin = new Map<string, string>();
  for (const f of files) {
    const list = rules.get(f.namespace) ?? [];
    for (const g of f.groups) {
      const key = `${f.namespace}\u0000${g.name}`;
      const first = origin.get(key);
      if (first !== undefined && first !== f.file) {
        problems.push({
          file: f.file,
          line: 1,
          col: 1,
          message: `group "${g.name}" of namespace "${f.namespace}" is also defined in ${first}`,
        });
        continue;
      }
      origin.set(key, f.file);
      list.push(g);
    }
    rules.set(f.namespace, list);
  }
  return { files, rules, problems };
}

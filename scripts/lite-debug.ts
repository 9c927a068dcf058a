/**
 * The `debug` package as oclif's logger sees it in cortexctl's fast start (bundle-cli-fast.ts maps
 * `debug` here). The real one loads tty and supports-color and parses DEBUG on every start (~10 ms)
 * to print nothing; it is loaded, from where oclif itself would load it, only when DEBUG is set.
 */
import { createRequire } from 'node:module';

interface Debugger {
  (formatter: unknown, ...args: unknown[]): void;
  enabled: boolean;
  namespace: string;
  extend(ns: string, delimiter?: string): Debugger;
}
type Factory = (namespace: string) => Debugger;

let real: Factory | undefined;

function realDebug(): Factory {
  if (!real) {
    const here = createRequire(import.meta.url);
    real = createRequire(here.resolve('@oclif/core/package.json'))('debug') as Factory;
  }
  return real;
}

function silent(namespace: string): Debugger {
  const d = (() => {}) as unknown as Debugger;
  d.enabled = false;
  d.namespace = namespace;
  d.extend = (ns, delimiter = ':') => silent(`${namespace}${delimiter}${ns}`);
  return d;
}

export default function debug(namespace: string): Debugger {
  return process.env.DEBUG ? realDebug()(namespace) : silent(namespace);
}

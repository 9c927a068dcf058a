import { createHash } from 'node:crypto';
import { Matcher, type MatchType } from '../../model/index.js';

/** A delete-series request: samples of series matching all `matchers` in `[mint, maxt]` are gone. */
export interface Tombstone {
  matchers: readonly Matcher[];
  mint: number;
  maxt: number;
}

interface TombstoneJSON {
  m: [MatchType, string, string][];
  mint: number;
  maxt: number;
}

export function encodeTombstone(t: Tombstone): Uint8Array {
  const j: TombstoneJSON = { m: t.matchers.map((m) => [m.type, m.name, m.value]), mint: t.mint, maxt: t.maxt };
  return new TextEncoder().encode(JSON.stringify(j));
}

export function decodeTombstone(b: Uint8Array): Tombstone {
  const j = JSON.parse(new TextDecoder().decode(b)) as TombstoneJSON;
  return { matchers: j.m.map(([t, n, v]) => new Matcher(t, n, v)), mint: j.mint, maxt: j.maxt };
}

/** Same request → same ID, so a retried delete writes the same row. */
export function tombstoneId(encoded: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encoded).digest().subarray(0, 8));
}

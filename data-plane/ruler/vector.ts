import { ExecutionError, Labels } from '../model/index.js';
import type { PromValue } from '../promql/index.js';

export interface VectorSample {
  labels: Labels;
  v: number;
}

/**
 * The instant-vector view of a query result, as Prometheus's EngineQueryFunc gives rules: a scalar
 * becomes one sample without labels; strings and matrices are errors. Native histogram samples are
 * skipped because rule output is written as float samples only.
 */
export function toVector(v: PromValue): VectorSample[] {
  switch (v.type) {
    case 'vector': {
      const out: VectorSample[] = [];
      for (const s of v.samples) if (s.v !== undefined) out.push({ labels: s.labels, v: s.v });
      return out;
    }
    case 'scalar':
      return [{ labels: Labels.EMPTY, v: v.v }];
    default:
      throw new ExecutionError('rule result is not a vector or scalar');
  }
}

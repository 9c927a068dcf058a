import type { QueryTenant, TenantId } from '../model/index.js';
import { Engine, type PromValue } from '../promql/index.js';
import { MemoryStorage } from '../storage/memory/index.js';
import type { RuleSample, RuleWriter } from './types.js';

/**
 * One tenant's in-process storage and engine for rule unit tests (promtool-style) and tests of the
 * ruler: rule output written here is visible to later queries, as with a real distributor.
 */
export class MemoryRuleBackend implements RuleWriter {
  readonly storage = new MemoryStorage();
  readonly engine: Engine;
  /** Samples the storage refused (out of order, duplicate), as a distributor would report. */
  rejected = 0;

  constructor(opts: { lookbackDeltaMs?: number } = {}) {
    this.engine = new Engine({ lookbackDeltaMs: opts.lookbackDeltaMs });
  }

  readonly query = async (_tenant: QueryTenant, q: string, t: number): Promise<PromValue> =>
    (await this.engine.instantQuery(this.storage, q, t)).value;

  async write(_tenant: TenantId, samples: RuleSample[]): Promise<void> {
    // One commit per sample: the memory storage stops a commit at the first refused sample.
    for (const s of samples) {
      const app = this.storage.appender();
      app.append(s.labels, s.t, s.v);
      try {
        await app.commit();
      } catch {
        this.rejected++;
      }
    }
  }
}

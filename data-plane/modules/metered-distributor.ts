import {
  Distributor,
  type DistributorOptions,
  type DistributorRequest,
  type PushResult,
} from '../distributor/index.js';
import type { TenantId } from '../model/index.js';
import { type UsageRecorder, writeUsageOf } from '../usage/index.js';

/**
 * A Distributor that meters each push it acknowledges, once per request whatever the replication
 * factor: the counts are taken from the result the client is answered with, and a push that throws
 * (rate limited, ingesters unavailable) counts nothing, as the client will send it again.
 */
export class MeteredDistributor extends Distributor {
  constructor(
    opts: DistributorOptions,
    private readonly recorder: UsageRecorder,
  ) {
    super(opts);
  }

  override push(tenant: TenantId, wire: DistributorRequest, opts?: { signal?: AbortSignal }): Promise<PushResult> {
    return super.push(tenant, wire, opts).then((r) => {
      this.recorder.recordWrite(tenant, writeUsageOf(r));
      return r;
    });
  }
}

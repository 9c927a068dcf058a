import { UnavailableError } from '../../data-plane/model/index.js';
import { audit, type DomainDeps } from './context.js';
import type { TenantService } from './tenants.js';

/** A delete-series request: Prometheus's `match[]`, `start` and `end` (Unix seconds or RFC 3339). */
export interface DeleteSeriesInput {
  match: string[];
  start?: string | undefined;
  end?: string | undefined;
}

/** What a deletion did; times in ms. */
export interface DeleteSeriesResult {
  tenantId: string;
  selectors: string[];
  start: number;
  end: number;
  samplesRemovedFromMemory: number;
}

/**
 * The data plane's delete-series, given to the control plane at composition time. Throws
 * BadDataError for a bad request.
 */
export type SeriesDeleter = (tenantId: string, req: DeleteSeriesInput) => Promise<DeleteSeriesResult>;

/** A deletion whose tombstones are still in storage; times in ms. */
export interface PendingDeletion {
  id: string;
  selector: string;
  start: number;
  end: number;
}

/** Lists the tenant's deletions whose tombstones are still in storage. */
export type DeletionLister = (tenantId: string) => Promise<PendingDeletion[]>;

const NO_DATA_PLANE = 'delete-series: no data plane is attached to this control plane';

/**
 * Operator delete-series over the data plane: the matching samples are hidden from queries when the
 * call returns and removed from storage by housekeeping later. Absent deleter: UnavailableError.
 */
export class SeriesDeletionService {
  constructor(
    private readonly deps: DomainDeps & {
      tenants: TenantService;
      deleter?: SeriesDeleter | undefined;
      lister?: DeletionLister | undefined;
    },
  ) {}

  async delete(actor: string, rawTenant: string, req: DeleteSeriesInput): Promise<DeleteSeriesResult> {
    const tenant = await this.deps.tenants.get(rawTenant);
    if (!this.deps.deleter) throw new UnavailableError(NO_DATA_PLANE);
    const result = await this.deps.deleter(tenant.id, req);
    const now = this.deps.clock.now();
    await this.deps.store.transaction((r) =>
      audit(r, { at: now, actor, action: 'tenant.delete_series', tenantId: tenant.id, after: result }),
    );
    return result;
  }

  async list(rawTenant: string): Promise<PendingDeletion[]> {
    const tenant = await this.deps.tenants.get(rawTenant);
    if (!this.deps.lister) throw new UnavailableError(NO_DATA_PLANE);
    return this.deps.lister(tenant.id);
  }
}

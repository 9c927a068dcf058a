import type { Clock } from '../../data-plane/model/index.js';
import type { Repositories, Store } from './repositories.js';
import type { NewAuditEntry } from './types.js';

/** What every domain service is built from. */
export interface DomainDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** Records one audit entry inside the caller's transaction, so the entry exists iff the change does. */
export function audit(r: Repositories, e: Omit<NewAuditEntry, 'target' | 'before' | 'after'> & Partial<NewAuditEntry>) {
  return r.audit.append({ target: null, before: null, after: null, ...e });
}

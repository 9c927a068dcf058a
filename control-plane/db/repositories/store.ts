import type { TenantId } from '../../../data-plane/model/index.js';
import type { Repositories, Store } from '../../domain/index.js';
import type { Db } from '../client.js';
import { DrizzleAdminTokenRepository } from './admin-tokens.js';
import { DrizzleTenantAlertmanagerRepository } from './alertmanager.js';
import { DrizzleAuditRepository } from './audit.js';
import { DrizzleFeedRepository } from './feed.js';
import { DrizzleTenantLimitsRepository } from './limits.js';
import { DrizzlePurgeRepository } from './purges.js';
import { DrizzleRevisionRepository } from './revisions.js';
import { DrizzleTenantRuleGroupRepository } from './rules.js';
import { DrizzleTenantRepository } from './tenants.js';
import { DrizzleTenantTokenRepository, DrizzleTokenLookup } from './tokens.js';
import { DrizzleUsageRepository } from './usage.js';

function repositories(db: Db): Repositories {
  return {
    tenants: new DrizzleTenantRepository(db),
    tokens: (t: TenantId) => new DrizzleTenantTokenRepository(db, t),
    tokenLookup: new DrizzleTokenLookup(db),
    adminTokens: new DrizzleAdminTokenRepository(db),
    limits: (t: TenantId) => new DrizzleTenantLimitsRepository(db, t),
    rules: (t: TenantId) => new DrizzleTenantRuleGroupRepository(db, t),
    alertmanager: (t: TenantId) => new DrizzleTenantAlertmanagerRepository(db, t),
    audit: new DrizzleAuditRepository(db),
    purges: new DrizzlePurgeRepository(db),
    revisions: new DrizzleRevisionRepository(db),
    feed: new DrizzleFeedRepository(db),
    usage: new DrizzleUsageRepository(db),
  };
}

/** The domain's Store over one drizzle database (PGlite or node-postgres). */
export class DrizzleStore implements Store {
  private readonly root: Repositories;

  constructor(private readonly db: Db) {
    this.root = repositories(db);
  }

  read<T>(fn: (r: Repositories) => Promise<T>): Promise<T> {
    return fn(this.root);
  }

  transaction<T>(fn: (r: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(repositories(tx as unknown as Db)));
  }

  snapshot<T>(fn: (r: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(repositories(tx as unknown as Db)), {
      isolationLevel: 'repeatable read',
      accessMode: 'read only',
    });
  }
}

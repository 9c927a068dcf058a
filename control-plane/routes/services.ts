import type { AdminAuthService } from '../domain/admin-auth.js';
import type { AlertmanagerService } from '../domain/alertmanager.js';
import type { AuditService } from '../domain/audit.js';
import type { ControlPlaneInternal } from '../domain/internal.js';
import type { LimitsService } from '../domain/limits.js';
import type { RulesService } from '../domain/rules.js';
import type { TenantService } from '../domain/tenants.js';
import type { TokenService } from '../domain/tokens.js';
import type { Feed } from '../domain/types.js';
import type { SessionSigner } from '../plugins/sessions.js';

/** Everything the routes call; built once by createControlPlane. */
export interface Services {
  tenants: TenantService;
  tokens: TokenService;
  limits: LimitsService;
  rules: RulesService;
  alertmanager: AlertmanagerService;
  audit: AuditService;
  adminAuth: AdminAuthService;
  internal: ControlPlaneInternal;
  /** The current revision of a feed (a cheap read, for If-None-Match). */
  revisionOf(feed: Feed): Promise<number>;
}

export interface AdminRouteOptions {
  services: Services;
  sessions: SessionSigner;
}

import type {
  AdminAuthService,
  AlertmanagerService,
  AuditService,
  ControlPlaneInternal,
  Feed,
  LimitsService,
  MeteringService,
  RulesService,
  SeriesDeletionService,
  TenantService,
  TokenService,
  UsageService,
} from '../domain/index.js';
import type { SessionSigner } from '../plugins/index.js';

/** Everything the routes call; built once by createControlPlane. */
export interface Services {
  tenants: TenantService;
  tokens: TokenService;
  limits: LimitsService;
  rules: RulesService;
  alertmanager: AlertmanagerService;
  audit: AuditService;
  adminAuth: AdminAuthService;
  seriesDeletion: SeriesDeletionService;
  usage: UsageService;
  metering: MeteringService;
  internal: ControlPlaneInternal;
  /** The current revision of a feed (a cheap read, for If-None-Match). */
  revisionOf(feed: Feed): Promise<number>;
}

export interface AdminRouteOptions {
  services: Services;
  sessions: SessionSigner;
}

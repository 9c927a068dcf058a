/** The targets of `cortexctl server --target` (light module: the command imports it at load time). */
export const TARGETS = [
  'control-plane',
  'gateway',
  'distributor',
  'ingester',
  'querier',
  'query-frontend',
  'ruler',
  'alertmanager',
] as const;
export type Target = (typeof TARGETS)[number];

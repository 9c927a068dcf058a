import { type Labels, matchesAll } from '../model/index.js';
import type { RouteConfig } from './config/index.js';
import { formatMatchers } from './config/index.js';

/** A route with its key (`{}/{severity="critical"}`), the prefix of every group key it creates. */
export interface Route {
  config: RouteConfig;
  key: string;
  children: Route[];
}

export function buildRouteTree(config: RouteConfig, parentKey?: string): Route {
  const own = formatMatchers(config.matchers);
  const key = parentKey === undefined ? own : `${parentKey}/${own}`;
  return { config, key, children: config.routes.map((c) => buildRouteTree(c, key)) };
}

/**
 * The routes an alert goes to: depth first, the first matching child wins unless it has `continue`;
 * a route whose children all miss handles the alert itself.
 */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.config.matchers, labels)) return [];
  const out: Route[] = [];
  for (const child of route.children) {
    const m = matchRoutes(child, labels);
    out.push(...m);
    if (m.length > 0 && !child.config.continue) break;
  }
  if (out.length === 0) out.push(route);
  return out;
}

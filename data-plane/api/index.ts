export * from './config-routes.js';
export * from './config-store.js';
export * from './errors.js';
export * from './params.js';
export * from './prometheus-api.js';
export * from './prometheus-routes.js';
export * from './push-route.js';
export * from './usage-api.js';

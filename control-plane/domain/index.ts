/**
 * The control-plane domain: plain TypeScript services over repository interfaces (no fastify, no
 * drizzle). Routes and the composition root import it only through this file.
 */
export * from './admin-auth.js';
export * from './alertmanager.js';
export * from './audit.js';
export * from './expr-validator.js';
export * from './internal.js';
export * from './limits.js';
export * from './metering.js';
export * from './repositories.js';
export * from './rules.js';
export * from './series.js';
export * from './tenants.js';
export * from './token-format.js';
export * from './tokens.js';
export * from './types.js';
export * from './usage.js';

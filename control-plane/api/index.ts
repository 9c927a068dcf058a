/**
 * The admin and internal API contract as TypeBox schemas and their static types. The CLI imports these
 * with `import type` only; the routes use them for validation and the OpenAPI document.
 */
export * from './audit.js';
export * from './common.js';
export * from './config.js';
export * from './internal.js';
export * from './tenants.js';
export * from './tokens.js';

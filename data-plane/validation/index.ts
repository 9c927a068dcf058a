export * from './limits.js';
export * from './overrides.js';

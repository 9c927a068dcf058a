export * from './admin/index.js';
export * from './internal/index.js';
export * from './mappers.js';
export * from './services.js';

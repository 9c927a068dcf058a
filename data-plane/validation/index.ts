export * from './discarded-metric.js';
export * from './error-ids.js';
export * from './limits.js';
export * from './overrides.js';
export * from './validate-labels.js';
export * from './validate-samples.js';
export * from './validation-error.js';
export * from './yaml-indicators.js';

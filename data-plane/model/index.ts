export * from './errors.js';
export * from './histogram.js';
export * from './labels.js';
export * from './matchers.js';
export * from './samples.js';
export * from './tenant.js';
export * from './time.js';
export * from './write.js';

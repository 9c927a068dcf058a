export * from './apply.js';
export * from './diff.js';
export * from './load.js';
export * from './promql-check.js';
export * from './rule-file.js';

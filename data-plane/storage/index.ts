export * from './array-series.js';
export * from './interface.js';
export * from './merge.js';

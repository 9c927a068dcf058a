export * from './array-series.js';
export * from './float-sink.js';
export * from './interface.js';
export * from './merge.js';

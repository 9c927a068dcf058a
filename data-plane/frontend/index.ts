export * from './fair-queue.js';
export * from './frontend.js';
export * from './matrix.js';
export * from './split.js';

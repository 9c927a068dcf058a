export * from './output.js';
export * from './resources.js';
export * from './table.js';

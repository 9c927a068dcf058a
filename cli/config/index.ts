export * from './contexts.js';
export * from './file.js';
export * from './resolve.js';

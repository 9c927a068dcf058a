export * from './client.js';
export * from './repositories/index.js';

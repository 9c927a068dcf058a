export * from './files.js';
export * from './read.js';
export * from './verify.js';

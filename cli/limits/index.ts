export * from './limit-flags.js';

export * from './auth.js';
export * from './error-handler.js';
export * from './sessions.js';
export * from './validator.js';

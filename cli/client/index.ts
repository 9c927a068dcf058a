export * from './admin-client.js';
export * from './errors.js';
export * from './http.js';

export * from './auth-throttle.js';
export * from './credential-cache.js';
export * from './credentials.js';
export * from './federation.js';
export * from './gateway.js';
export * from './http-credential-source.js';

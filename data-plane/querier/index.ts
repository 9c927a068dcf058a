export * from './federated-queryable.js';
export * from './head-and-store.js';
export * from './limited-queryable.js';
export * from './limits.js';
export * from './splittable.js';
export * from './tenant-querier.js';

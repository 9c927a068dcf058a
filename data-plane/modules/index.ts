export * from './admin-config-store.js';
export * from './data-plane.js';
export * from './delete-series.js';
export * from './housekeeping.js';
export * from './metered-distributor.js';
export * from './polling-source.js';
export * from './usage-tracker.js';
export * from './version.js';

export * from './usage-recorder.js';
export * from './usage-shipper.js';
export * from './write-usage.js';

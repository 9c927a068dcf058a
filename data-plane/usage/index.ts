export * from './active-series-meter.js';
export * from './cost-attribution.js';
export * from './usage-recorder.js';
export * from './usage-shipper.js';
export * from './write-usage.js';

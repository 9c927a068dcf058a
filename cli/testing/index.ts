export * from './closed-port.js';
export * from './run-command.js';

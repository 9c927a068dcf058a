export { DrizzleStore } from './store.js';

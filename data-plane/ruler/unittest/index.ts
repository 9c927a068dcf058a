export { runUnitTestFile, summarize } from './runner.js';
export { expandSeriesValues, type SeriesValue } from './series-notation.js';
export type { ExpAlert, TestGroup, UnitTestFile, UnitTestResult } from './types.js';

export { almostEqual, compareResult } from './compare.js';
export { conformanceEngine, type ScriptEngine, ScriptRunner } from './runner.js';
export { type Command, type EvalCmd, parseScript } from './script.js';

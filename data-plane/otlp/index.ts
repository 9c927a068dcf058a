export { decodeOtlpJson } from './decode-json.js';
export { decodeOtlpProto } from './decode-proto.js';
export {
  type Converted,
  DeltaStreams,
  DeltaToCumulative,
  type DeltaToCumulativeOptions,
} from './delta-to-cumulative.js';
export {
  createOtlpHandler,
  type OtlpHandlerOptions,
  type OtlpLimits,
  type OtlpRequestIn,
  type OtlpResponse,
  otlpHandlerFor,
} from './handler.js';
export type * from './model.js';
export {
  buildLabelName,
  buildMetricName,
  buildUnit,
  TRANSLATION_STRATEGIES,
  type TranslationStrategy,
} from './names.js';
export { defaultOtlpSettings, OTLP_ERROR_IDS, type OtlpSettings, type Translated, translateOtlp } from './translate.js';

export { decodeWriteRequest } from './decode-v1.js';
export {
  type ColumnarWriteRequest,
  ColumnWireRequest,
  decodeColumns,
  wireFromColumns,
} from './decode-v1-columns.js';
export { decodeWriteRequestV2 } from './decode-v2.js';
export {
  type EncodableSeries,
  type EncodableWriteRequest,
  encodeWriteRequest,
  INTERNAL_CREATED_TIMESTAMPS_FIELD,
} from './encode-v1.js';
export { encodeWriteRequestV2 } from './encode-v2.js';
export { ProtoWriter } from './proto-writer.js';
export { hashBytes, SeriesCache, type SeriesMemo, seriesCache } from './series-cache.js';
export { snappyDecode, snappyDecodedLength, snappyEncode, snappyMaxEncodedLength } from './snappy.js';
export type {
  AnyWireWriteRequest,
  WireExemplar,
  WireHistogramSample,
  WireRejection,
  WireSeries,
  WireWriteRequest,
} from './types.js';

/**
 * Regression (issue #24, the OTLP fuzz target): an attribute value of kvlists nested ~1,000 levels
 * deep, a 12 kB protobuf body, overflowed the decoder's stack and was answered 503 as an unknown
 * error; deeply nested values are now a 400 naming the depth, in both encodings.
 */
import { describe, expect, it } from 'vitest';
import { BadDataError } from '../model/index.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto, MAX_ANY_VALUE_DEPTH } from './decode-proto.js';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
const field = (f: number, body: Uint8Array) =>
  Buffer.concat([Uint8Array.from([(f << 3) | 2, ...varint(body.length)]), body]);
const str = (f: number, s: string) => field(f, Buffer.from(s));

/** A resource attribute `nested` whose value is `{a: {a: … "x"}}`, `depth` kvlists deep. */
function protoBody(depth: number): Uint8Array {
  let v: Uint8Array = str(1, 'x');
  for (let i = 0; i < depth; i++) v = field(6, field(1, Buffer.concat([str(1, 'a'), field(2, v)])));
  const resource = field(1, Buffer.concat([str(1, 'nested'), field(2, v)]));
  return field(1, field(1, resource));
}

function jsonBody(depth: number): Uint8Array {
  const open = '{"kvlistValue":{"values":[{"key":"a","value":'.repeat(depth);
  const close = '}]}}'.repeat(depth);
  return Buffer.from(
    `{"resourceMetrics":[{"resource":{"attributes":[{"key":"nested","value":${open}{"stringValue":"x"}${close}}]}}]}`,
  );
}

describe('OTLP attribute values nested deeply', () => {
  it.each([
    { name: 'protobuf', decode: decodeOtlpProto, body: protoBody },
    { name: 'JSON', decode: decodeOtlpJson, body: jsonBody },
  ])('$name: up to the limit decodes; deeper is a 400, never a stack overflow', ({ decode, body }) => {
    expect(decode(body(MAX_ANY_VALUE_DEPTH)).resourceMetrics).toHaveLength(1);
    for (const depth of [MAX_ANY_VALUE_DEPTH + 1, 1046, 5000]) {
      expect(() => decode(body(depth))).toThrow(BadDataError);
      expect(() => decode(body(depth))).toThrow(/nested more than 100 levels deep/);
    }
  });
});

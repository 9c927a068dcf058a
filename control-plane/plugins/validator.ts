/**
 * Validates requests with TypeBox's compiler instead of fastify's default Ajv setup, which silently
 * strips unknown properties: here unknown fields are rejected, and the message names the exact path.
 * Query strings and params are converted (strings → numbers) first, as Ajv's coerceTypes would, but
 * only from plain decimal text: TypeBox's conversion reads `1e400`, `1.5` and `0x10` as the integers
 * 1, 1 and 16, so `?limit=1e400` would quietly mean `limit=1`.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const convert = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  return (data: unknown) => {
    if (convert) {
      const bad = badNumberText(schema, data);
      if (bad) return { error: new Error(`${httpPart}.${bad.key}: ${bad.message}`) };
    }
    let value = convert ? Value.Convert(schema, data) : data;
    if (convert) value = Value.Default(schema, value);
    if (check.Check(value)) return { value };
    const e = check.Errors(value).First();
    const where = `${httpPart ?? 'request'}${e?.path ? e.path.replaceAll('/', '.') : ''}`;
    return { error: new Error(`${where}: ${e?.message ?? 'invalid'}`) };
  };
};

/** The first text value of an integer or number field that is not plain decimal (or not exact). */
function badNumberText(schema: TSchema, data: unknown): { key: string; message: string } | undefined {
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (!props || data === null || typeof data !== 'object') return undefined;
  for (const key of Object.keys(props)) {
    if (!Object.hasOwn(data, key)) continue;
    const raw = (data as Record<string, unknown>)[key];
    const type = props[key]!.type;
    if (typeof raw !== 'string' || (type !== 'integer' && type !== 'number')) continue;
    const shown = JSON.stringify(raw.slice(0, 40));
    if (type === 'integer') {
      if (!INTEGER_TEXT.test(raw)) return { key, message: `expected a decimal integer, got ${shown}` };
      if (!Number.isSafeInteger(Number(raw))) return { key, message: `${shown} is out of range` };
    } else if (!NUMBER_TEXT.test(raw) || !Number.isFinite(Number(raw))) {
      return { key, message: `expected a finite decimal number, got ${shown}` };
    }
  }
  return undefined;
}

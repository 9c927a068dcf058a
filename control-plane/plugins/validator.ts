/**
 * Validates requests with TypeBox's compiler instead of fastify's default Ajv setup, which silently
 * strips unknown properties: here unknown fields are rejected, and the message names the exact path.
 * Query strings and params are converted (strings → numbers) first, as Ajv's coerceTypes would.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const convert = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  return (data: unknown) => {
    let value = convert ? Value.Convert(schema, data) : data;
    if (convert) value = Value.Default(schema, value);
    if (check.Check(value)) return { value };
    const e = check.Errors(value).First();
    const where = `${httpPart ?? 'request'}${e?.path ? e.path.replaceAll('/', '.') : ''}`;
    return { error: new Error(`${where}: ${e?.message ?? 'invalid'}`) };
  };
};

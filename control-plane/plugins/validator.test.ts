import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { describe, expect, it } from 'vitest';
import { typeboxValidatorCompiler } from './validator.js';

const query = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    ratio: Type.Optional(Type.Number()),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const validate = typeboxValidatorCompiler({
  schema: query,
  httpPart: 'querystring',
  method: 'GET',
  url: '/x',
} as unknown as FastifySchema & Parameters<typeof typeboxValidatorCompiler>[0]) as (data: unknown) => {
  value?: unknown;
  error?: Error;
};

describe('query-string numbers', () => {
  it.each([
    [{}, { limit: 100 }],
    [{ limit: '1' }, { limit: 1 }],
    [{ limit: '1000' }, { limit: 1000 }],
    [{ ratio: '0.5' }, { ratio: 0.5, limit: 100 }],
    [{ ratio: '-1e3' }, { ratio: -1000, limit: 100 }],
    [{ name: '1e400' }, { name: '1e400', limit: 100 }],
  ])('%j → %j', (data, value) => {
    expect(validate(data)).toEqual({ value });
  });

  // TypeBox alone turned `1e400`, `1.5` and `0x10` into the integers 1, 1 and 16.
  it.each([
    [{ limit: '1e400' }, 'querystring.limit: expected a decimal integer, got "1e400"'],
    [{ limit: '1.5' }, 'querystring.limit: expected a decimal integer, got "1.5"'],
    [{ limit: '0x10' }, 'querystring.limit: expected a decimal integer, got "0x10"'],
    [{ limit: 'NaN' }, 'querystring.limit: expected a decimal integer, got "NaN"'],
    [{ limit: '' }, 'querystring.limit: expected a decimal integer, got ""'],
    [{ limit: '9007199254740993' }, 'querystring.limit: "9007199254740993" is out of range'],
    [{ limit: '-1' }, 'querystring.limit: Expected integer to be greater or equal to 1'],
    [{ limit: '1001' }, 'querystring.limit: Expected integer to be less or equal to 1000'],
    [{ ratio: 'Infinity' }, 'querystring.ratio: expected a finite decimal number, got "Infinity"'],
    [{ ratio: '1e400' }, 'querystring.ratio: expected a finite decimal number, got "1e400"'],
    [{ ratio: '0x10' }, 'querystring.ratio: expected a finite decimal number, got "0x10"'],
  ])('%j → %s', (data, message) => {
    const r = validate(data);
    expect(r.value).toBeUndefined();
    expect(r.error?.message).toBe(message);
  });
});

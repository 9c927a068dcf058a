import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { LimitValueSchema } from '../../gen/cortex/admin/v1/admin_pb.js';
import { limitCase, limitText, limitValue } from './limit-values.js';

describe('limit values', () => {
  const number = create(LimitValueSchema, { kind: { case: 'number', value: 10000 } });
  const duration = create(LimitValueSchema, { kind: { case: 'duration', value: '14d' } });

  it.each([
    { name: 'number', v: number, text: '10000', kind: 'number' },
    { name: 'duration', v: duration, text: '14d', kind: 'duration' },
    { name: 'unset', v: create(LimitValueSchema), text: '', kind: undefined },
    { name: 'absent', v: undefined, text: '', kind: undefined },
  ])('shows a $name', ({ v, text, kind }) => {
    expect(limitText(v)).toBe(text);
    expect(limitCase(v)).toBe(kind);
  });

  it.each([
    { name: 'a number for a numeric limit', kind: 'number', text: ' 12345 ', want: { case: 'number', value: 12345 } },
    {
      name: 'a negative number (the server judges the range)',
      kind: 'number',
      text: '-5',
      want: { case: 'number', value: -5 },
    },
    {
      name: 'text for a numeric limit goes as text',
      kind: 'number',
      text: 'lots',
      want: { case: 'duration', value: 'lots' },
    },
    { name: 'empty for a numeric limit goes as text', kind: 'number', text: '', want: { case: 'duration', value: '' } },
    { name: 'a duration', kind: 'duration', text: '30d', want: { case: 'duration', value: '30d' } },
  ])('sends $name', ({ kind, text, want }) => {
    expect(limitValue(kind, text).kind).toEqual(want);
  });
});

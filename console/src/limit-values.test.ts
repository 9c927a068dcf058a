import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { LimitValueSchema } from '../../gen/cortex/admin/v1/admin_pb.js';
import { limitCase, limitText, limitValue } from './limit-values.js';

describe('limit values', () => {
  const number = create(LimitValueSchema, { kind: { case: 'number', value: 10000 } });
  const duration = create(LimitValueSchema, { kind: { case: 'duration', value: '14d' } });
  const name = create(LimitValueSchema, { kind: { case: 'name', value: 'UnderscoreEscapingWithSuffixes' } });
  const names = create(LimitValueSchema, {
    kind: { case: 'names', value: { names: ['service.name', 'k8s.pod.name'] } },
  });

  it.each([
    { name: 'number', v: number, text: '10000', kind: 'number' },
    { name: 'duration', v: duration, text: '14d', kind: 'duration' },
    { name: 'name', v: name, text: 'UnderscoreEscapingWithSuffixes', kind: 'name' },
    { name: 'list of names', v: names, text: 'service.name, k8s.pod.name', kind: 'names' },
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
      name: 'text for a numeric limit goes as a name',
      kind: 'number',
      text: 'lots',
      want: { case: 'name', value: 'lots' },
    },
    { name: 'empty for a numeric limit goes as text', kind: 'number', text: '', want: { case: 'name', value: '' } },
    { name: 'a duration', kind: 'duration', text: '30d', want: { case: 'duration', value: '30d' } },
  ])('sends $name', ({ kind, text, want }) => {
    expect(limitValue(kind, text).kind).toEqual(want);
  });

  it('sends a list of names back as one', () => {
    const v = limitValue('names', ' service.name, k8s.pod.name ');
    expect(v.kind.case).toBe('names');
    expect(limitText(v)).toBe('service.name, k8s.pod.name');
    expect(limitValue('names', '').kind.value).toEqual(expect.objectContaining({ names: [] }));
    expect(limitValue('name', 'NoTranslation').kind).toEqual({ case: 'name', value: 'NoTranslation' });
  });
});

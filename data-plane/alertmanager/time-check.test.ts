import { describe, expect, it } from 'vitest';
import { parseAlertmanagerConfig } from './config/index.js';
import { inTimeInterval } from './time-check.js';

function spec(yaml: string) {
  const { config, errors } = parseAlertmanagerConfig(
    `route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals:\n  - name: t\n    time_intervals:\n      - ${yaml}\n`,
  );
  expect(errors).toEqual([]);
  return config!.timeIntervals[0]!.intervals[0]!;
}

describe('inTimeInterval', () => {
  it.each([
    {
      name: 'inside times',
      yaml: "times: [{start_time: '09:00', end_time: '17:00'}]",
      at: '2026-11-26T09:00:00Z',
      in: true,
    },
    {
      name: 'end is exclusive',
      yaml: "times: [{start_time: '09:00', end_time: '17:00'}]",
      at: '2026-11-26T17:00:00Z',
      in: false,
    },
    { name: 'weekday range (Thursday)', yaml: "weekdays: ['monday:friday']", at: '2026-11-26T12:00:00Z', in: true },
    { name: 'weekend', yaml: "weekdays: ['saturday', 'sunday']", at: '2026-11-26T12:00:00Z', in: false },
    { name: 'last day of month', yaml: "days_of_month: ['-1']", at: '2026-11-30T12:00:00Z', in: true },
    { name: 'not last day', yaml: "days_of_month: ['-1']", at: '2026-11-29T12:00:00Z', in: false },
    { name: 'months by name', yaml: "months: ['october:december']", at: '2026-11-26T12:00:00Z', in: true },
    { name: 'years', yaml: "years: ['2020:2025']", at: '2026-11-26T12:00:00Z', in: false },
    {
      name: 'location shifts the day',
      yaml: "{weekdays: ['friday'], location: 'Pacific/Auckland'}",
      at: '2026-11-26T12:00:00Z',
      in: true,
    },
  ])('$name', ({ yaml, at, in: inside }) => {
    expect(inTimeInterval(spec(yaml), Date.parse(at))).toBe(inside);
  });
});

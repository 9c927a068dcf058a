import { describe, expect, it } from 'vitest';
import { HttpTransport } from '../client/http.js';
import { renderTable } from '../format/index.js';
import { fetchRings, formatAge, type RingsJson, ringColumns, ringRows, ringSummary } from './ring.js';

const sample: RingsJson = {
  nowMs: 1_000_000,
  rings: [
    {
      name: 'ingester',
      replicationFactor: 3,
      heartbeatTimeoutMs: 60_000,
      zoneAware: true,
      instances: [
        {
          id: 'ing-1',
          addr: 'http://10.0.0.1:9009',
          zone: 'a',
          state: 'ACTIVE',
          healthy: true,
          status: 'ACTIVE',
          tokenCount: 128,
          ownershipPercent: 51.234,
          heartbeatMs: 998_000,
          heartbeatAgeMs: 2_000,
          registeredMs: 1,
        },
        {
          id: 'ing-2',
          addr: 'http://10.0.0.2:9009',
          zone: 'b',
          state: 'LEAVING',
          healthy: false,
          status: 'UNHEALTHY',
          tokenCount: 128,
          ownershipPercent: 48.766,
          heartbeatMs: 0,
          heartbeatAgeMs: 125_000,
          registeredMs: 1,
        },
      ],
    },
  ],
};

const fakeHttp = (status: number, body: string) =>
  new HttpTransport({
    address: 'http://cortex.test',
    fetch: (async () =>
      new Response(body, { status, headers: { 'content-type': 'application/json' } })) as typeof fetch,
  });

describe('status ring section', () => {
  it('lays out one row per instance', () => {
    expect(renderTable(ringRows(sample), ringColumns)).toBe(
      [
        'RING       INSTANCE   STATE       ZONE   TOKENS   OWNERSHIP   HEARTBEAT   ADDRESS',
        'ingester   ing-1      ACTIVE      a      128      51.2%       2.0s ago    http://10.0.0.1:9009',
        'ingester   ing-2      UNHEALTHY   b      128      48.8%       2m5s ago    http://10.0.0.2:9009',
        '',
      ].join('\n'),
    );
    expect(ringSummary(sample)).toEqual(['ingester: 2 instances (1 healthy), replication factor 3, zone-aware']);
  });

  it.each([
    { name: 'a ring', status: 200, body: JSON.stringify(sample), want: sample },
    { name: 'no /ring (404)', status: 404, body: '{"status":"error","error":"not found"}', want: undefined },
    { name: 'not ring JSON', status: 200, body: '{"hello":1}', want: undefined },
  ])('fetchRings: $name', async ({ status, body, want }) => {
    expect(await fetchRings(fakeHttp(status, body))).toEqual(want);
  });

  it.each([
    [0, '0ms'],
    [59_999, '60.0s'],
    [3_600_000, '1h0m'],
  ])('formatAge(%i) = %s', (ms, want) => {
    expect(formatAge(ms)).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';
import { awsToCortexError } from './aws-errors.js';

const sdkError = (name: string, status?: number, fault?: 'client' | 'server') =>
  Object.assign(new Error(`${name} happened`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...(fault ? { $fault: fault } : {}),
  });

describe('awsToCortexError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', 400, 'client', 'unavailable', /throttled after retries/],
    ['ThrottlingException', 400, 'client', 'unavailable', /throttled/],
    ['SlowDown', 503, 'server', 'unavailable', /throttled/],
    ['InternalServerError', 500, 'server', 'unavailable', /failed/],
    ['UnrecognizedClientException', 400, 'client', 'internal', /credentials were refused/],
    ['InvalidAccessKeyId', 403, 'client', 'internal', /credential chain/],
    ['CredentialsProviderError', undefined, undefined, 'internal', /credentials were refused/],
    ['ValidationException', 400, 'client', 'internal', /ValidationException \(HTTP 400\)/],
  ] as const)('%s → %s', (name, status, fault, kind, msg) => {
    const err = awsToCortexError('dynamodb table t: Query', sdkError(name, status, fault));
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(msg);
    expect(err.message).toMatch(/^dynamodb table t: Query/);
  });

  it('a connection that never answered is unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(awsToCortexError('s3', refused).kind).toBe('unavailable');
  });

  it('an aborted call is canceled', () => {
    expect(awsToCortexError('s3', sdkError('AbortError')).kind).toBe('canceled');
  });
});

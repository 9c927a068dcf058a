/**
 * AWS SDK (v3) errors mapped to the platform's kinds, for the DynamoDB and S3 stores. The SDK's own
 * retry strategy has already retried throttling and 5xx answers with backoff by the time an error
 * reaches these functions: what is left is the retry budget spent (→ `unavailable`, a 5xx the caller
 * may retry) or a fault no retry mends (→ `internal`, with what to fix in the message).
 */
import { CanceledError, CortexError, InternalError, UnavailableError } from '../model/index.js';

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Throttling answers: retried with backoff; after the budget they are `unavailable`. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'SlowDown',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** Answers meaning the credentials are missing, wrong or not allowed: no retry mends them. */
const CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
]);

/** Network-level failures (no answer at all). */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function awsErrorName(err: unknown): string | undefined {
  const e = err as AwsErrorShape | undefined;
  return e?.name ?? e?.code;
}

export function isThrottling(err: unknown): boolean {
  return THROTTLING.has(awsErrorName(err) ?? '');
}

export function isCredentialsError(err: unknown): boolean {
  const e = err as AwsErrorShape | undefined;
  return CREDENTIALS.has(e?.name ?? '') || CREDENTIALS.has(e?.code ?? '');
}

/**
 * Maps an SDK error to a CortexError. `service` and `op` name what failed ("dynamodb query on table
 * cortex_chunks"); the cause is kept.
 */
export function awsToCortexError(what: string, err: unknown): CortexError {
  if (err instanceof CortexError) return err;
  const e = (err ?? {}) as AwsErrorShape & { cause?: { code?: string } };
  const name = e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = `${name}${status === undefined ? '' : ` (HTTP ${status})`}${e.message ? `: ${e.message}` : ''}`;
  if (name === 'AbortError') return new CanceledError(`${what} canceled`, { cause: err });
  if (isCredentialsError(err))
    return new InternalError(
      `${what} failed: the AWS credentials were refused (${detail}); check the credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the instance or pod role) and its permissions`,
      { cause: err },
    );
  if (isThrottling(err))
    return new UnavailableError(`${what} throttled after retries with backoff (${detail})`, { cause: err });
  const net = e.code ?? e.cause?.code;
  if (
    e.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    (net !== undefined && NETWORK.has(net)) ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    name === 'RequestTimeoutException' ||
    // No HTTP status at all: the request never got an answer (connection refused, reset, DNS).
    (status === undefined && e.$fault === undefined)
  )
    return new UnavailableError(`${what} failed (${detail})`, { cause: err });
  return new InternalError(`${what} failed (${detail})`, { cause: err });
}

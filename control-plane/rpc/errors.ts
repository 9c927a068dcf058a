/**
 * The RPC edge's one error table: CortexError.kind → gRPC status code, with the REST error body
 * (kind, stable ID, message) as an ErrorDetail in the status details. 5xx-like failures never
 * echo internals, as in the REST error handler.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { CortexError, type ErrorKind } from '../../data-plane/model/index.js';
import { ERROR_IDS } from '../../data-plane/validation/index.js';
import { ErrorDetailSchema } from '../../gen/cortex/admin/v1/admin_pb.js';
import { databaseUnavailableCode } from '../plugins/index.js';

export const CODE_BY_KIND: Readonly<Record<ErrorKind, Code>> = {
  bad_data: Code.InvalidArgument,
  execution: Code.InvalidArgument,
  timeout: Code.DeadlineExceeded,
  canceled: Code.Canceled,
  not_found: Code.NotFound,
  internal: Code.Internal,
  limit_exceeded: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  unauthorized: Code.Unauthenticated,
  forbidden: Code.PermissionDenied,
  // A conflict on Create* is a duplicate; elsewhere it is a state that forbids the call (deleted).
  conflict: Code.FailedPrecondition,
};

/**
 * Per-tenant quota errors that REST answers as 400 bad_data (the upload itself is refused): over
 * RPC they are what they are, a quota (RESOURCE_EXHAUSTED), with the same message and ID.
 */
const QUOTA_IDS: ReadonlySet<string> = new Set([
  ERROR_IDS.maxRuleGroupsPerTenant,
  ERROR_IDS.maxRulesPerRuleGroup,
  'err-cortex-alertmanager-max-config-size',
]);

function codeOf(err: CortexError, method: string): Code {
  if (err.kind === 'conflict' && method.startsWith('Create')) return Code.AlreadyExists;
  if (err.id !== undefined && QUOTA_IDS.has(err.id)) return Code.ResourceExhausted;
  return CODE_BY_KIND[err.kind] ?? Code.Internal;
}

function withDetail(message: string, code: Code, kind: string, id?: string): ConnectError {
  return new ConnectError(message, code, undefined, [
    { desc: ErrorDetailSchema, value: { kind, id: id ?? '', message } },
  ]);
}

/**
 * Any error a handler threw, as the ConnectError the client sees. `method` is the RPC's name
 * (`CreateTenant`); `log` receives what is not the caller's fault.
 */
export function toConnectError(err: unknown, method: string, log: (err: unknown) => void): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof CortexError) {
    const code = codeOf(err, method);
    if (code === Code.Internal) {
      log(err);
      return withDetail('internal error', code, 'internal');
    }
    return withDetail(err.message, code, err.kind, err.id);
  }
  log(err);
  if (databaseUnavailableCode(err)) {
    return withDetail('control-plane database unavailable, retry later', Code.Unavailable, 'unavailable');
  }
  return withDetail('internal error', Code.Internal, 'internal');
}

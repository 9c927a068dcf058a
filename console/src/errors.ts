/**
 * What a failed call tells the user: the server's message (the REST error body carried as an
 * ErrorDetail, with its stable error ID) or, for transport failures, what went wrong.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '../../gen/cortex/admin/v1/admin_pb.js';

export function errorMessage(err: unknown): string {
  if (err instanceof ConnectError) {
    const detail = err.findDetails(ErrorDetailSchema)[0];
    if (detail?.message) return detail.message;
    if (err.code === Code.Unavailable || err.code === Code.Unknown) {
      return `the server could not be reached (${err.rawMessage || Code[err.code]})`;
    }
    return err.rawMessage || Code[err.code];
  }
  return err instanceof Error ? err.message : String(err);
}

/** True when the credential itself was refused: the console signs out. */
export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unauthenticated;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.NotFound;
}

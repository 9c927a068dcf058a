import { CanceledError } from '../../model/index.js';
import type { CallOptions } from '../interface.js';

/** Throws `CanceledError` when the caller's signal has fired; call before each round trip. */
export function throwIfAborted(opts: CallOptions | undefined): void {
  if (opts?.signal?.aborted) throw new CanceledError('storage call canceled', { cause: opts.signal.reason });
}

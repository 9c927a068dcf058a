import { CanceledError, UnavailableError } from '../model/errors.js';
import type { InstanceDesc, ReplicationSet } from './types.js';

export type BatchOutcome = { ok: true } | { ok: false; error: unknown };

export interface BatchResult {
  /** Per item, in input order. */
  outcomes: BatchOutcome[];
  /** Items that failed (indexes into the input). */
  failed: number[];
  /** Settles when every per-instance call has settled (stragglers keep running after the result). */
  settled: Promise<void>;
}

export interface DoBatchOptions {
  /** Aborting fails the items still undecided with `CanceledError` (calls already sent still run). */
  signal?: AbortSignal;
}

/**
 * Cortex's `ring.DoBatch`: item `i` must reach the replicas in `sets[i]`. Groups items by instance
 * and calls `send(instance, itemIndexes)` once per instance, all in parallel. An item succeeds once
 * `instances.length − maxErrors` of its replicas succeeded and fails as soon as more than
 * `maxErrors` failed (with the error that tipped it). Resolves when every item is decided; calls
 * still running then are not canceled (a slow replica still gets the write) — await `settled` to
 * wait for them.
 */
export function doBatch(
  sets: readonly ReplicationSet[],
  send: (instance: InstanceDesc, items: number[]) => Promise<unknown>,
  opts: DoBatchOptions = {},
): Promise<BatchResult> {
  const outcomes: (BatchOutcome | undefined)[] = new Array(sets.length).fill(undefined);
  const succeeded = new Int32Array(sets.length);
  const failures = new Int32Array(sets.length);
  const byInstance = new Map<string, { inst: InstanceDesc; items: number[] }>();
  let pending = sets.length;

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const decide = (i: number, o: BatchOutcome) => {
    if (outcomes[i] !== undefined) return;
    outcomes[i] = o;
    if (--pending === 0) resolveDone();
  };

  sets.forEach((set, i) => {
    const need = set.instances.length - set.maxErrors;
    if (need <= 0 || set.instances.length === 0) {
      decide(i, { ok: false, error: new UnavailableError('no replicas to write to') });
      return;
    }
    for (const inst of set.instances) {
      let g = byInstance.get(inst.id);
      if (!g) {
        g = { inst, items: [] };
        byInstance.set(inst.id, g);
      }
      g.items.push(i);
    }
  });
  if (pending === 0) resolveDone();

  const onAbort = () => {
    for (let i = 0; i < sets.length; i++) decide(i, { ok: false, error: new CanceledError('batch canceled') });
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const calls: Promise<void>[] = [];
  for (const { inst, items } of byInstance.values()) {
    calls.push(
      Promise.resolve()
        .then(() => send(inst, items))
        .then(
          () => {
            for (const i of items) {
              const set = sets[i]!;
              if (++succeeded[i]! >= set.instances.length - set.maxErrors) decide(i, { ok: true });
            }
          },
          (error: unknown) => {
            for (const i of items) {
              if (++failures[i]! > sets[i]!.maxErrors) decide(i, { ok: false, error });
            }
          },
        ),
    );
  }
  const settled = Promise.all(calls).then(() => {
    opts.signal?.removeEventListener('abort', onAbort);
  });

  return done.then(() => {
    const final = outcomes as BatchOutcome[];
    const failed: number[] = [];
    final.forEach((o, i) => {
      if (!o.ok) failed.push(i);
    });
    return { outcomes: final, failed, settled };
  });
}

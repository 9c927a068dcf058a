/**
 * One label value's series refs, in the order they were added (ascending: refs only grow). A short
 * list is a plain array; a long one is a Uint32Array holding its length in element 0 and the refs
 * after it. Every series sits in one list per label, and a plain array costs 8 bytes per ref plus
 * up to half again of spare slots; a typed array costs 4, with its ~200 bytes of fixed overhead
 * only worth it on long lists (a label value shared by many series: job, metric name, instance).
 */
export type Postings = number[] | Uint32Array;

/** Length at which a plain list becomes a typed one. */
const TYPED_FROM = 256;
const MAX_TYPED_REF = 0xffffffff;

/** `list` with `ref` added at the end; the caller stores the result (a list may be replaced). */
export function addRef(list: Postings, ref: number): Postings {
  if (Array.isArray(list)) {
    list.push(ref);
    return list.length >= TYPED_FROM ? toTyped(list) : list;
  }
  if (ref > MAX_TYPED_REF) return [...list.subarray(1, 1 + list[0]!), ref];
  let n = list[0]!;
  if (n + 1 >= list.length) {
    // Grow by a quarter: a long list grows one ref at a time, rarely by much.
    const next = new Uint32Array(list.length + (list.length >>> 2));
    next.set(list);
    list = next;
  }
  list[++n] = ref;
  list[0] = n;
  return list;
}

function toTyped(list: number[]): Postings {
  for (const r of list) if (r > MAX_TYPED_REF) return list;
  const out = new Uint32Array(list.length + (list.length >>> 2) + 1);
  out[0] = list.length;
  out.set(list, 1);
  return out;
}

/** The refs of `list`, ascending (a view, not a copy, of a typed list: do not keep it past an add). */
export function refsOf(list: Postings): ArrayLike<number> {
  return Array.isArray(list) ? list : list.subarray(1, 1 + list[0]!);
}

/** The refs of `list` that pass `keep` (the same list when all do), or undefined when none do. */
export function filterRefs(list: Postings, keep: (ref: number) => boolean): Postings | undefined {
  const refs = refsOf(list);
  const out: number[] = [];
  for (let i = 0; i < refs.length; i++) if (keep(refs[i]!)) out.push(refs[i]!);
  if (out.length === refs.length) return list;
  if (out.length === 0) return undefined;
  return out.length >= TYPED_FROM ? toTyped(out) : out;
}

/** Whether any ref of `list` passes `ok`. */
export function someRef(list: Postings, ok: (ref: number) => boolean): boolean {
  const refs = refsOf(list);
  for (let i = 0; i < refs.length; i++) if (ok(refs[i]!)) return true;
  return false;
}

/** A copy of `a` with room for at least `min` elements (doubling), for buffers built before a transfer. */
export function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, min: number): T {
  let n = Math.max(1, a.length);
  while (n < min) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** A copy of `a` with room for exactly `n` elements (n ≥ a.length). */
export function resized<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

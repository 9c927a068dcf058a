/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order.
 * Queries fan out over time buckets this way: parallel enough to hide round trips, bounded so a
 * year-long range does not open hundreds of reads at once.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

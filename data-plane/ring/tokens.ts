/**
 * `n` random uint32 tokens, sorted, none of them in `taken` (nor repeated). As Cortex's
 * `GenerateTokens`: uniqueness within the ring keeps ownership unambiguous.
 */
export function generateTokens(n: number, taken: ReadonlySet<number>, random: () => number = Math.random): number[] {
  const out = new Set<number>();
  while (out.size < n) {
    const t = Math.floor(random() * 0x100000000) >>> 0;
    if (!taken.has(t)) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

/** Every token held by an instance other than `exceptId`. */
export function takenTokens(instances: Record<string, { tokens: readonly number[] }>, exceptId: string): Set<number> {
  const taken = new Set<number>();
  for (const [id, inst] of Object.entries(instances)) {
    if (id === exceptId) continue;
    for (const t of inst.tokens) taken.add(t);
  }
  return taken;
}

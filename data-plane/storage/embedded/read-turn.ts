/**
 * The embedded store answers from memory, so its "async" reads resolve at once and a query that
 * makes thousands of them (a selector matching a tenant's whole index) runs as one chain of
 * microtasks: the event loop, and with it every other tenant's requests, health checks and
 * ingestion, waited for the whole read (6 s for 140,000 series). A remote store (Bigtable, DynamoDB)
 * gives the loop a turn at every round trip; this gives the embedded one a turn once reads have held
 * the current turn for `sliceMs`.
 */
export class ReadTurns {
  /** When reads started holding the current turn of the event loop; undefined after a turn. */
  private since: number | undefined;

  constructor(private readonly sliceMs: number) {}

  /** Undefined while the turn is young (read on at once); else a promise resolved on a later turn. */
  next(): Promise<void> | undefined {
    const now = performance.now();
    if (this.since === undefined) {
      this.since = now;
      // Runs after the I/O of this turn: whatever read comes next starts a new slice.
      setImmediate(() => {
        this.since = undefined;
      });
      return undefined;
    }
    if (now - this.since < this.sliceMs) return undefined;
    return new Promise((resolve) => setImmediate(resolve));
  }
}

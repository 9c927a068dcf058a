/** Evaluation bookkeeping every rule carries for /api/v1/rules (Prometheus's rule health). */
export type RuleHealth = 'unknown' | 'ok' | 'err';

export class RuleStatus {
  health: RuleHealth = 'unknown';
  lastError = '';
  /** ms since the epoch; 0 = never evaluated. */
  lastEvaluation = 0;
  /** ms the last evaluation took. */
  evaluationTimeMs = 0;

  ok(ts: number, tookMs: number): void {
    this.health = 'ok';
    this.lastError = '';
    this.lastEvaluation = ts;
    this.evaluationTimeMs = tookMs;
  }

  fail(ts: number, tookMs: number, err: unknown): void {
    this.health = 'err';
    this.lastError = err instanceof Error ? err.message : String(err);
    this.lastEvaluation = ts;
    this.evaluationTimeMs = tookMs;
  }
}

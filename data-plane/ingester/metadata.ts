import type { MetricMetadata } from '../model/index.js';

/**
 * A tenant's metric metadata: distinct (type, help, unit) entries per metric family, newest
 * first. New entries beyond `max_metadata_per_user` are dropped (counted by the caller); entries
 * already known are refreshed, so a steady sender never loses its metadata to the limit.
 */
export class MetadataStore {
  private readonly byMetric = new Map<string, MetricMetadata[]>();
  private count = 0;

  /** Returns false when the entry was dropped because of the limit (0 = unlimited). */
  add(m: MetricMetadata, limit: number): boolean {
    let list = this.byMetric.get(m.metricFamilyName);
    const i = list ? list.findIndex((x) => x.type === m.type && x.help === m.help && x.unit === m.unit) : -1;
    if (i >= 0) {
      // Move to the front: the newest description of a metric is listed first.
      list!.splice(i, 1);
      list!.unshift(m);
      return true;
    }
    if (limit > 0 && this.count >= limit) return false;
    if (!list) this.byMetric.set(m.metricFamilyName, (list = []));
    list.unshift(m);
    this.count++;
    return true;
  }

  size(): number {
    return this.count;
  }

  /** Entries sorted by metric name; `limit` caps the number of metrics (as /api/v1/metadata does). */
  list(opts?: { metric?: string; limit?: number }): MetricMetadata[] {
    const names =
      opts?.metric !== undefined
        ? this.byMetric.has(opts.metric)
          ? [opts.metric]
          : []
        : [...this.byMetric.keys()].sort();
    const capped = opts?.limit !== undefined && opts.limit > 0 ? names.slice(0, opts.limit) : names;
    return capped.flatMap((n) => this.byMetric.get(n)!);
  }
}

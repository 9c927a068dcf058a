/** Go's time.Time and time.Duration as templates see them (Alertmanager data, Prometheus's toTime/toDuration). */

/** A time value printing like Go's time.Time (UTC). */
export class GoTimeValue {
  constructor(readonly ms: number | undefined) {}
  toString(): string {
    const d = new Date(this.ms ?? Date.UTC(1, 0, 1));
    if (this.ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
    // Go prints the fraction without trailing zeros: `…:05.12 +0000 UTC`.
    const iso = d
      .toISOString()
      .replace('T', ' ')
      .replace(/(\.\d*?)0+Z$/, '$1Z')
      .replace(/\.?Z$/, '');
    return `${iso} +0000 UTC`;
  }
  Unix(): number {
    return Math.floor((this.ms ?? 0) / 1000);
  }
  IsZero(): boolean {
    return this.ms === undefined;
  }
  /** Go layouts with the common tokens (2006 01 02 15 04 05 Jan Mon MST Z07:00 -0700). */
  Format(layout: unknown): string {
    const d = new Date(this.ms ?? 0);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const tokens: [string, string][] = [
      ['2006', String(d.getUTCFullYear())],
      ['Z07:00', 'Z'],
      ['-0700', '+0000'],
      ['MST', 'UTC'],
      ['Jan', d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })],
      ['Mon', d.toLocaleString('en-US', { weekday: 'short', timeZone: 'UTC' })],
      ['01', p(d.getUTCMonth() + 1)],
      ['02', p(d.getUTCDate())],
      ['15', p(d.getUTCHours())],
      ['04', p(d.getUTCMinutes())],
      ['05', p(d.getUTCSeconds())],
    ];
    let out = '';
    const s = String(layout);
    for (let i = 0; i < s.length; ) {
      const tok = tokens.find(([k]) => s.startsWith(k, i));
      if (tok) {
        out += tok[1];
        i += tok[0].length;
      } else out += s[i++];
    }
    return out;
  }
}

/** A Go time.Duration: prints as Go does (`1h2m3.5s`); `valueOf()` is seconds, as humanizeDuration wants. */
export class GoDuration {
  constructor(readonly ms: number) {}
  valueOf(): number {
    return this.ms / 1000;
  }
  Seconds(): number {
    return this.ms / 1000;
  }
  toString(): string {
    const sign = this.ms < 0 ? '-' : '';
    const ms = Math.abs(this.ms);
    if (ms === 0) return '0s';
    if (ms < 1000) return `${sign}${trimNum(ms)}ms`;
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const sec = trimNum((ms % 60_000) / 1000);
    if (h > 0) return `${sign}${h}h${m}m${sec}s`;
    if (m > 0) return `${sign}${m}m${sec}s`;
    return `${sign}${sec}s`;
  }
}

function trimNum(n: number): string {
  return String(Number(n.toFixed(9)));
}

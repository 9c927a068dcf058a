/** A plain SVG line chart of one series over time, with an optional limit line. */
import { svg } from './dom.js';
import { formatNumber } from './ui.js';

export interface Point {
  t: number;
  v: number;
}

const W = 480;
const H = 160;
const PAD = { left: 52, right: 8, top: 10, bottom: 22 };

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** `label` names the chart for screen readers; the points must be in time order. */
export function lineChart(label: string, points: readonly Point[], limit?: number): SVGSVGElement {
  const last = points.at(-1);
  const summary = `${label}: ${last ? formatNumber(last.v) : 'no data'}${limit && limit > 0 ? ` (limit ${formatNumber(limit)})` : ''}`;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': summary });
  const t0 = points[0]?.t ?? 0;
  const t1 = Math.max(last?.t ?? 1, t0 + 1);
  const top = Math.max(1, ...points.map((p) => p.v), limit && limit > 0 ? limit : 0) * 1.05;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  root.append(
    svg('line', { class: 'axis', x1: PAD.left, y1: y(0), x2: W - PAD.right, y2: y(0) }),
    svg('text', { class: 'tick', x: PAD.left - 4, y: y(0), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, '0'),
    svg(
      'text',
      { class: 'tick', x: PAD.left - 4, y: y(top), 'text-anchor': 'end', 'dominant-baseline': 'hanging' },
      formatNumber(Math.round(top)),
    ),
  );
  if (points.length > 0) {
    root.append(
      svg('text', { class: 'tick', x: PAD.left, y: H - 4 }, clock(t0)),
      svg('text', { class: 'tick', x: W - PAD.right, y: H - 4, 'text-anchor': 'end' }, clock(t1)),
    );
  }
  if (limit && limit > 0) {
    root.append(
      svg('line', { class: 'limit', x1: PAD.left, y1: y(limit), x2: W - PAD.right, y2: y(limit) }),
      svg(
        'text',
        { class: 'tick limit-label', x: W - PAD.right, y: y(limit) - 3, 'text-anchor': 'end' },
        `limit ${formatNumber(limit)}`,
      ),
    );
  }
  if (points.length === 1) {
    root.append(svg('circle', { class: 'dot', cx: x(points[0]!.t), cy: y(points[0]!.v), r: 3 }));
  } else if (points.length > 1) {
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
    root.append(svg('path', { class: 'line', d }));
  }
  if (points.length === 0) {
    root.append(svg('text', { class: 'tick', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data yet'));
  }
  return root;
}

/** Small pieces the pages share: notices, a confirmation dialog, usage bars, number and time formats. */
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { h, replace } from './dom.js';

export interface Notice {
  el: HTMLElement;
  error(message: string): void;
  info(message: string): void;
  clear(): void;
}

/** A live region: errors are announced (role=alert) and never leave the page blank. */
export function notice(): Notice {
  const el = h('div', { class: 'notice', role: 'alert', hidden: true });
  const show = (cls: string, message: string) => {
    el.className = `notice ${cls}`;
    replace(el, message);
    el.hidden = false;
  };
  return {
    el,
    error: (m) => show('error', m),
    info: (m) => show('info', m),
    clear: () => {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/** Asks before a destructive action; resolves true when the user confirms. */
export function confirmAction(question: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-label': question });
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.addEventListener('cancel', () => done(false));
    replace(
      dialog,
      h('p', null, question),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => done(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', onclick: () => done(true) }, confirmLabel),
      ),
    );
    document.body.append(dialog);
    dialog.showModal();
  });
}

const NUMBER = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function formatNumber(n: number | bigint): string {
  return NUMBER.format(n);
}

export function tsMs(t: Timestamp | undefined): number | undefined {
  return t === undefined ? undefined : Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
}

export function formatTime(t: Timestamp | undefined): string {
  const ms = tsMs(t);
  return ms === undefined
    ? '—'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/**
 * A usage bar: `value` against `limit` (0 or less: unlimited, the bar stays empty), exposed as an
 * ARIA meter named `label`.
 */
export function usageBar(label: string, value: number, limit: number, unit = ''): HTMLElement {
  const limited = limit > 0;
  const ratio = limited ? Math.min(1, value / limit) : 0;
  const level = ratio >= 0.9 ? 'high' : ratio >= 0.7 ? 'mid' : 'low';
  const text = `${formatNumber(value)}${unit} / ${limited ? `${formatNumber(limit)}${unit}` : 'unlimited'}`;
  // Set through the CSSOM: the console's CSP allows no inline style attributes.
  const fill = h('span', { class: `fill ${level}` });
  fill.style.width = `${(ratio * 100).toFixed(1)}%`;
  return h(
    'div',
    {
      class: 'bar',
      role: 'meter',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': limited ? limit : value,
      'aria-valuenow': value,
      'aria-valuetext': text,
    },
    fill,
    h('span', { class: 'label' }, text),
  );
}

/** Tables scroll sideways inside their own box on narrow screens instead of widening the page. */
export function scroller(table: HTMLTableElement): HTMLElement {
  return h('div', { class: 'scroll' }, table);
}

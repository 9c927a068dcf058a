import { BadDataError } from '../../data-plane/model/index.js';

/**
 * Basic Go text/template syntax check: every `{{` is closed by `}}` before the next `{{`, no stray
 * `}}`, no empty action. Full parsing happens where templates are executed (ruler, alertmanager).
 */
export function checkTemplate(text: string, what: string): void {
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    const close = text.indexOf('}}', i);
    if (open < 0) {
      if (close >= 0) throw new BadDataError(`${what}: template has "}}" without a matching "{{" at offset ${close}`);
      return;
    }
    if (close >= 0 && close < open) {
      throw new BadDataError(`${what}: template has "}}" without a matching "{{" at offset ${close}`);
    }
    const end = text.indexOf('}}', open + 2);
    const next = text.indexOf('{{', open + 2);
    if (end < 0 || (next >= 0 && next < end)) {
      throw new BadDataError(`${what}: template action opened at offset ${open} is not closed with "}}"`);
    }
    const body = text
      .slice(open + 2, end)
      .replace(/^-\s|\s-$/g, '')
      .trim();
    if (body === '') throw new BadDataError(`${what}: empty template action at offset ${open}`);
    i = end + 2;
  }
}

/** What the shell (app.ts) gives every page, and what a page gives back. */
import type { Admin } from './api.js';

export interface Ctx {
  admin: Admin;
  /** Shows a failed call: a refused credential signs out, anything else lands in `show`. */
  fail(err: unknown, show: (message: string) => void): void;
  /** Aborted when the page is left: pass it to calls and streams. */
  signal: AbortSignal;
}

export interface Page {
  title: string;
  el: HTMLElement;
}

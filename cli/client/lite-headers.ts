/**
 * The Fetch API's `Headers`, as much of it as connect-es uses, for cortexctl's fast start only
 * (scripts/bundle-cli-fast.ts injects it in place of the global). Node builds the global `Headers`
 * from undici, and the first touch loads all of undici with http2 and tls: about 40 ms of a 300 ms
 * command, for a header map. Behaviour follows the Fetch standard (names lowercased and validated,
 * values trimmed, appended values joined with ", ", `set-cookie` kept apart, iteration sorted by
 * name); lite-headers.test.ts checks it operation by operation against the real `Headers`.
 */

// RFC 9110 token characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A value may not contain NUL, CR or LF (after trimming HTTP whitespace).
const BAD_VALUE = /[\0\r\n]/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

type Init = Iterable<readonly [string, string]> | Record<string, string> | LiteHeaders;

export class LiteHeaders implements Iterable<[string, string]> {
  readonly #map = new Map<string, string>();
  readonly #cookies: string[] = [];

  constructor(init?: Init) {
    if (init === undefined || init === null) return;
    if (typeof init !== 'object') throw new TypeError('Headers: init must be an object');
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError('Headers: each header must be a [name, value] pair');
        this.append(pair[0], pair[1]);
      }
      return;
    }
    for (const [name, value] of Object.entries(init)) this.append(name, value);
  }

  append(name: string, value: string): void {
    const [key, v] = checked(name, value);
    if (key === 'set-cookie') {
      this.#cookies.push(v);
      return;
    }
    const prev = this.#map.get(key);
    this.#map.set(key, prev === undefined ? v : `${prev}, ${v}`);
  }

  set(name: string, value: string): void {
    const [key, v] = checked(name, value);
    if (key === 'set-cookie') {
      this.#cookies.length = 0;
      this.#cookies.push(v);
      return;
    }
    this.#map.set(key, v);
  }

  get(name: string): string | null {
    const key = checkedName(name);
    if (key === 'set-cookie') return this.#cookies.length ? this.#cookies.join(', ') : null;
    return this.#map.get(key) ?? null;
  }

  has(name: string): boolean {
    const key = checkedName(name);
    return key === 'set-cookie' ? this.#cookies.length > 0 : this.#map.has(key);
  }

  delete(name: string): void {
    const key = checkedName(name);
    if (key === 'set-cookie') this.#cookies.length = 0;
    else this.#map.delete(key);
  }

  getSetCookie(): string[] {
    return [...this.#cookies];
  }

  forEach(callback: (value: string, name: string, headers: LiteHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this) callback.call(thisArg, value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    const names = [...this.#map.keys()];
    if (this.#cookies.length) names.push('set-cookie');
    for (const name of names.sort()) {
      if (name === 'set-cookie') for (const c of this.#cookies) yield [name, c];
      else yield [name, this.#map.get(name)!];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

function checkedName(name: string): string {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`Headers: invalid header name ${JSON.stringify(n)}`);
  return n.toLowerCase();
}

function checked(name: string, value: string): [string, string] {
  const v = String(value).replace(EDGE_WHITESPACE, '');
  if (BAD_VALUE.test(v)) throw new TypeError(`Headers: invalid value for header ${JSON.stringify(String(name))}`);
  return [checkedName(name), v];
}

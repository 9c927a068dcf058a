/**
 * Writes `s` at `at` as a one-byte uvarint length and its bytes, when it is ASCII and shorter than
 * 128 characters (a label name or value, nearly always), and returns where it ends; -1 for any other
 * string, whose UTF-8 the caller writes itself over what was copied. The caller has made room for
 * `s.length + 1` bytes. Cheaper than a TextEncoder or Buffer call per string, which checkpoints and
 * flushes make some twenty times per series.
 */
export function writeShortAscii(buf: Uint8Array, at: number, s: string): number {
  const len = s.length;
  if (len >= 0x80) return -1;
  const from = at + 1;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[from + i] = c;
  }
  buf[at] = len;
  return from + len;
}

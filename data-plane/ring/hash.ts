import type { Labels } from '../model/index.js';

/** FNV-1a 32-bit offset basis (Go's `hash/fnv`, Cortex's `HashNew32`). */
export const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

function mix(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV32_PRIME) >>> 0;
}

/**
 * Adds a string's UTF-8 bytes to a running FNV-1a 32 hash (Cortex's `HashAdd32`). Encodes inline,
 * so no buffer is allocated on the write path.
 */
export function fnv32aAdd(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = mix(h, c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    // Lone surrogates become U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      h = mix(h, 0xc0 | (c >> 6));
      h = mix(h, 0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      h = mix(h, 0xe0 | (c >> 12));
      h = mix(h, 0x80 | ((c >> 6) & 0x3f));
      h = mix(h, 0x80 | (c & 0x3f));
    } else {
      h = mix(h, 0xf0 | (c >> 18));
      h = mix(h, 0x80 | ((c >> 12) & 0x3f));
      h = mix(h, 0x80 | ((c >> 6) & 0x3f));
      h = mix(h, 0x80 | (c & 0x3f));
    }
  }
  return h;
}

/** Adds raw bytes to a running FNV-1a 32 hash. */
export function fnv32aAddBytes(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = mix(h, bytes[i]!);
  return h;
}

/** FNV-1a 32 of a string's UTF-8 bytes. */
export function fnv32a(s: string): number {
  return fnv32aAdd(FNV32_OFFSET, s);
}

/** The ring key of a tenant alone (Cortex's `ShardByUser`): for per-tenant ownership (ruler, alertmanager). */
export function tenantHash(tenantId: string): number {
  return fnv32a(tenantId);
}

/**
 * The ring key of a series (Cortex's `ShardByAllLabels`, Mimir's default): FNV-1a 32 over the tenant
 * ID, then every label name and value in order, with no separators.
 */
export function shardHash(tenantId: string, labels: Labels): number {
  let h = fnv32aAdd(FNV32_OFFSET, tenantId);
  const f = labels.flat;
  for (let i = 0; i < f.length; i++) h = fnv32aAdd(h, f[i]!);
  return h;
}

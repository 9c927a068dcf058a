/**
 * Secret token format, after GitHub's: `<type prefix><30 random base62 chars><6 char base62 CRC32>`.
 * 30 base62 characters carry 178 bits of entropy. The type prefix lets secret scanners find leaked
 * tokens and the checksum lets us (and scanners) reject typos and look-alikes without a database hit.
 * Only the SHA-256 of a token is stored; high-entropy secrets need no slow, salted hash.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 30;
const CHECKSUM_CHARS = 6;
/** Characters after the type prefix shown in listings (8 chars = 47 bits: identifying, not guessable-useful). */
const VISIBLE_CHARS = 8;

/** `cxt_` tenant tokens, `cxa_` admin (operator) tokens. */
export type TokenType = 'cxt_' | 'cxa_';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(s: string): number {
  let c = 0xffffffff;
  for (const b of Buffer.from(s, 'utf8')) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(len: number): string {
  let out = '';
  while (out.length < len) {
    // Rejection sampling: bytes ≥ 248 would bias the modulo.
    for (const b of randomBytes(len * 2)) {
      if (b < 248 && out.length < len) out += ALPHABET[b % 62];
    }
  }
  return out;
}

export interface GeneratedToken {
  /** The full secret; shown to the caller once. */
  readonly secret: string;
  /** Non-secret leading part for listings. */
  readonly prefix: string;
  readonly secretHash: string;
}

export function generateToken(type: TokenType): GeneratedToken {
  const body = type + randomBase62(RANDOM_CHARS);
  const secret = body + base62(crc32(body), CHECKSUM_CHARS);
  return { secret, prefix: secret.slice(0, type.length + VISIBLE_CHARS), secretHash: hashToken(secret) };
}

const SHAPE: Record<TokenType, RegExp> = {
  cxt_: new RegExp(`^cxt_[0-9A-Za-z]{${RANDOM_CHARS + CHECKSUM_CHARS}}$`),
  cxa_: new RegExp(`^cxa_[0-9A-Za-z]{${RANDOM_CHARS + CHECKSUM_CHARS}}$`),
};

/** True when `s` has the shape and a valid checksum of a token of this type (no database involved). */
export function isWellFormedToken(s: string, type: TokenType): boolean {
  if (!SHAPE[type].test(s)) return false;
  const body = s.slice(0, -CHECKSUM_CHARS);
  return base62(crc32(body), CHECKSUM_CHARS) === s.slice(-CHECKSUM_CHARS);
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex SHA-256 digests (equal length by construction). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Constant-time comparison of two arbitrary secrets, via their digests. */
export function sameSecret(a: string, b: string): boolean {
  return sameHash(hashToken(a), hashToken(b));
}

import { isIP } from 'node:net';

/** Networks a tenant's receiver may not reach unless the operator allows them (SSRF guard). */
const BLOCKED = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b::/96',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

interface Cidr {
  v6: boolean;
  base: bigint;
  bits: number;
}

export interface FirewallOptions {
  /** CIDRs that are allowed even though they are private (e.g. `127.0.0.1/32` for a test receiver). */
  allowedCidrs?: readonly string[];
  /** Extra CIDRs to block on top of the private ranges. */
  blockedCidrs?: readonly string[];
  /** Turns the private-range block off entirely (single-tenant, trusted deployments only). */
  allowPrivateAddresses?: boolean;
}

/** Decides, per resolved IP address, whether a receiver may connect to it. */
export class Firewall {
  private readonly allowed: Cidr[];
  private readonly blocked: Cidr[];

  constructor(opts: FirewallOptions = {}) {
    this.allowed = (opts.allowedCidrs ?? []).map(parseCidr);
    this.blocked = [...(opts.allowPrivateAddresses ? [] : BLOCKED), ...(opts.blockedCidrs ?? [])].map(parseCidr);
  }

  /** True when `address` (an IP literal) may be dialled. */
  allows(address: string): boolean {
    const ip = parseIp(address);
    if (!ip) return false;
    if (this.allowed.some((c) => contains(c, ip))) return true;
    return !this.blocked.some((c) => contains(c, ip));
  }
}

function parseCidr(s: string): Cidr {
  const [addr, bitsText] = s.split('/');
  const ip = parseIp(addr ?? '');
  if (!ip) throw new Error(`invalid CIDR ${JSON.stringify(s)}`);
  const max = ip.v6 ? 128 : 32;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new Error(`invalid CIDR ${JSON.stringify(s)}`);
  return { v6: ip.v6, base: ip.value, bits };
}

function contains(c: Cidr, ip: { v6: boolean; value: bigint }): boolean {
  if (c.v6 !== ip.v6) return false;
  const width = BigInt(c.v6 ? 128 : 32);
  const shift = width - BigInt(c.bits);
  return ip.value >> shift === c.base >> shift;
}

/** Parses an IP literal; IPv4-mapped IPv6 addresses count as the IPv4 address they carry. */
export function parseIp(s: string): { v6: boolean; value: bigint } | undefined {
  const a = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  const kind = isIP(a);
  if (kind === 4) return { v6: false, value: v4(a) };
  if (kind !== 6) return undefined;
  const zoneless = a.split('%')[0]!;
  let text = zoneless;
  let tail: bigint | undefined;
  const dot = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dot) {
    tail = v4(dot[1]!);
    text = `${text.slice(0, dot.index)}:0:0`;
  }
  const [head, rest] = text.split('::');
  const hs = head ? head.split(':') : [];
  const rs = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? hs : [...hs, ...Array(8 - hs.length - rs.length).fill('0'), ...rs];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(Number.parseInt(g || '0', 16));
  if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
  if (value >> 32n === 0xffffn) return { v6: false, value: value & 0xffffffffn };
  return { v6: true, value };
}

function v4(a: string): bigint {
  return a.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

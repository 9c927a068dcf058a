import { describe, expect, it } from 'vitest';
import { Firewall } from './firewall.js';

describe('Firewall (default: private ranges blocked)', () => {
  const fw = new Firewall();
  it.each([
    { ip: '127.0.0.1', ok: false },
    { ip: '127.8.9.10', ok: false },
    { ip: '169.254.169.254', ok: false },
    { ip: '10.1.2.3', ok: false },
    { ip: '172.16.0.1', ok: false },
    { ip: '172.31.255.255', ok: false },
    { ip: '192.168.1.1', ok: false },
    { ip: '100.64.0.1', ok: false },
    { ip: '0.0.0.0', ok: false },
    { ip: '::1', ok: false },
    { ip: '::', ok: false },
    { ip: 'fd00::1', ok: false },
    { ip: 'fe80::1', ok: false },
    { ip: '::ffff:127.0.0.1', ok: false },
    { ip: '::ffff:7f00:1', ok: false },
    { ip: 'not-an-ip', ok: false },
    { ip: '8.8.8.8', ok: true },
    { ip: '172.32.0.1', ok: true },
    { ip: '2001:4860:4860::8888', ok: true },
    { ip: '::ffff:8.8.8.8', ok: true },
  ])('$ip → $ok', ({ ip, ok }) => {
    expect(fw.allows(ip)).toBe(ok);
  });

  it('lets the operator allow a range and block more', () => {
    const custom = new Firewall({ allowedCidrs: ['127.0.0.1/32'], blockedCidrs: ['8.8.8.0/24'] });
    expect(custom.allows('127.0.0.1')).toBe(true);
    expect(custom.allows('127.0.0.2')).toBe(false);
    expect(custom.allows('8.8.8.8')).toBe(false);
    expect(new Firewall({ allowPrivateAddresses: true }).allows('10.0.0.1')).toBe(true);
  });
});

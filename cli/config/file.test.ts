import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configPath, loadConfig, removeContext, saveConfig, upsertContext, useContext } from './index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'cortexctl-cfg-'));

describe('config file', () => {
  it.each([
    {
      name: 'CORTEXCTL_CONFIG wins',
      env: { CORTEXCTL_CONFIG: '/x/c.yaml', XDG_CONFIG_HOME: '/xdg' },
      want: '/x/c.yaml',
    },
    { name: 'XDG_CONFIG_HOME', env: { XDG_CONFIG_HOME: '/xdg', HOME: '/h' }, want: '/xdg/cortexctl/config.yaml' },
    { name: 'HOME fallback', env: { HOME: '/h' }, want: '/h/.config/cortexctl/config.yaml' },
  ])('path: $name', ({ env, want }) => {
    expect(configPath(env)).toBe(want);
  });

  it('round-trips contexts and writes mode 0600', async () => {
    const path = join(dir(), 'sub', 'config.yaml');
    let cfg = upsertContext({ contexts: [] }, { name: 'b', address: 'http://b', token: 'secret' });
    cfg = upsertContext(cfg, { name: 'a', tenant: 'acme' });
    cfg = useContext(cfg, 'b');
    await saveConfig(path, cfg);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const back = await loadConfig(path);
    expect(back).toEqual({
      currentContext: 'b',
      contexts: [
        { name: 'a', tenant: 'acme' },
        { name: 'b', address: 'http://b', token: 'secret' },
      ],
    });
    expect(removeContext(back, 'b')).toEqual({ contexts: [{ name: 'a', tenant: 'acme' }] });
  });

  it('upsert keeps fields that are not given again', () => {
    const cfg = upsertContext(
      { contexts: [{ name: 'a', address: 'http://a', token: 't' }] },
      { name: 'a', tenant: 'x' },
    );
    expect(cfg.contexts).toEqual([{ name: 'a', address: 'http://a', token: 't', tenant: 'x' }]);
  });

  // found by the cli-input fuzz target: `context add ""` saved a file every later command refused
  it('refuses a nameless context, which loadConfig could not read back', () => {
    expect(() => upsertContext({ contexts: [] }, { name: '', address: 'http://a' })).toThrow(ConfigError);
  });

  it('a missing file is an empty config', async () => {
    expect(await loadConfig(join(dir(), 'none.yaml'))).toEqual({ contexts: [] });
  });

  it.each([
    { name: 'not a mapping', text: '- a\n- b\n', error: /expected a mapping/ },
    { name: 'context without name', text: 'contexts:\n  - address: x\n', error: /contexts\[0\] has no name/ },
    { name: 'bad yaml', text: 'contexts: [\n', error: /config\.yaml/ },
  ])('rejects $name', async ({ text, error }) => {
    const path = join(dir(), 'config.yaml');
    writeFileSync(path, text);
    await expect(loadConfig(path)).rejects.toThrow(ConfigError);
    await expect(loadConfig(path)).rejects.toThrow(error);
  });
});

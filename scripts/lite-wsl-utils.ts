/**
 * wsl-utils as oclif's `getPlatform()` sees it in cortexctl's fast start (bundle-cli-fast.ts maps
 * oclif's import here). oclif asks it on every start whether this is WSL; the package also loads
 * child_process and powershell-utils for that (~8 ms). The answer comes from is-wsl, as wsl-utils
 * gives it; the rest of the real module loads when asked.
 */
export { default as isWsl } from 'is-wsl';

export async function powerShellPath(): Promise<string> {
  return (await import('wsl-utils')).powerShellPath();
}

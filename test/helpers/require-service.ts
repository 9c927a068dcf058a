import { inject } from 'vitest';

/**
 * The address of a service started by global setup, or undefined (after a loud warning) when it is
 * not installed on this machine. Use with `describe.skipIf(!url)`. Under CI=true global setup already
 * failed the run, so a skip here never hides a missing service in CI.
 */
export function requireService(
  name: 'pgUrl' | 'bigtableEmulator' | 'dynamodbEndpoint' | 's3Endpoint',
): string | undefined {
  const v = inject(name);
  if (v === undefined) console.warn(`!!! ${name} not available: skipping this suite !!!`);
  return v;
}

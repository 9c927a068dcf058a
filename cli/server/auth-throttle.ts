/**
 * The gateway's failed-auth throttle as `cortexctl server` configures it: flags, metrics, a log line
 * and an audit entry per lock (through the control plane, in-process or over `/internal/v1`).
 */
import type { Registry } from 'prom-client';
import type { AuthThrottleEvent } from '../../control-plane/index.js';
import { AuthThrottle, type ThrottleEvent } from '../../data-plane/gateway/index.js';

export interface AuthThrottleConfig {
  /** Failed attempts per source address or Basic-auth user within a minute; 0 turns throttling off. */
  burst: number;
  cooldownMs: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleConfig = { burst: 20, cooldownMs: 60_000 };

export function createAuthThrottle(
  cfg: AuthThrottleConfig | undefined,
  registry: Registry,
  logger: { warn(m: string): void },
  record: (e: AuthThrottleEvent) => Promise<void>,
): AuthThrottle | undefined {
  const { burst, cooldownMs } = cfg ?? DEFAULT_AUTH_THROTTLE;
  if (burst === 0) return undefined;
  return new AuthThrottle({
    burst,
    cooldownMs,
    registry,
    onThrottle: (e: ThrottleEvent) => {
      const who = e.kind === 'address' ? `address ${e.value}` : `Basic-auth user ${e.value}`;
      logger.warn(`auth: ${e.failures} failed attempts; ${who} refused for ${Math.round(cooldownMs / 1000)}s`);
      const event = {
        kind: e.kind,
        value: e.value,
        failures: e.failures,
        at: new Date(e.atMs).toISOString(),
        until: new Date(e.untilMs).toISOString(),
      };
      record(event).catch((err: unknown) => logger.warn(`auth: cannot audit a throttle event: ${String(err)}`));
    },
  });
}

/** Records throttle events through a remote control plane's internal API. */
export function httpAuthThrottleRecorder(controlPlaneUrl: string, headers: Record<string, string>) {
  return async (e: AuthThrottleEvent): Promise<void> => {
    const res = await fetch(new URL('/internal/v1/auth-throttle', controlPlaneUrl), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(e),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`control plane answered ${res.status}`);
  };
}

import type { CliConfig, Context } from './file.js';

export const DEFAULT_ADDRESS = 'http://127.0.0.1:9009';

/** Connection settings after applying precedence; `source` says where each one came from. */
export interface Connection {
  address: string;
  token: string | undefined;
  tenant: string | undefined;
  context: string | undefined;
  source: { address: Source; token: Source; tenant: Source };
}

export type Source = 'flag' | 'env' | 'context' | 'default' | 'none';

export interface ResolveInput {
  flags: { address?: string; token?: string; tenant?: string; context?: string };
  env: NodeJS.ProcessEnv;
  config: CliConfig;
}

/**
 * Applies the precedence flags > environment (`CORTEXCTL_*`) > context > default. The context is
 * `--context`, else `CORTEXCTL_CONTEXT`, else the file's current context. Naming a context that does
 * not exist throws UnknownContextError; a dangling current-context is ignored.
 */
export function resolveConnection({ flags, env, config }: ResolveInput): Connection {
  const named = flags.context ?? (env.CORTEXCTL_CONTEXT || undefined);
  let ctx: Context | undefined;
  if (named !== undefined) {
    ctx = config.contexts.find((c) => c.name === named);
    if (!ctx) throw new UnknownContextError(named);
  } else if (config.currentContext) {
    ctx = config.contexts.find((c) => c.name === config.currentContext);
  }
  const address = pick(flags.address, env.CORTEXCTL_ADDRESS, ctx?.address, DEFAULT_ADDRESS);
  const token = pick(flags.token, env.CORTEXCTL_TOKEN, ctx?.token, undefined);
  const tenant = pick(flags.tenant, env.CORTEXCTL_TENANT, ctx?.tenant, undefined);
  return {
    address: address.value!,
    token: token.value,
    tenant: tenant.value,
    context: ctx?.name,
    source: { address: address.source, token: token.source, tenant: tenant.source },
  };
}

export class UnknownContextError extends Error {
  override name = 'UnknownContextError';
  constructor(readonly context: string) {
    super(`context "${context}" not found in config file (see: cortexctl context list)`);
  }
}

function pick(
  flag: string | undefined,
  env: string | undefined,
  ctx: string | undefined,
  dflt: string | undefined,
): { value: string | undefined; source: Source } {
  if (flag !== undefined && flag !== '') return { value: flag, source: 'flag' };
  if (env !== undefined && env !== '') return { value: env, source: 'env' };
  if (ctx !== undefined && ctx !== '') return { value: ctx, source: 'context' };
  return dflt === undefined ? { value: undefined, source: 'none' } : { value: dflt, source: 'default' };
}

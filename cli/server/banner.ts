/** What `cortexctl server --dev` prints: the root token and paste-ready snippets. */
export function banner(url: string, grpcAddress: string | undefined, rootToken: string, dataDir: string): string {
  return `
cortex-ts is running in dev mode (all targets in one process, embedded storage in ${dataDir}).

HTTP:     ${url}
Console:  ${url}/console/   (sign in with the root token below)
gRPC:     ${grpcAddress ?? 'off'}   (AdminService with reflection: grpcurl -plaintext -H "authorization: Bearer <root token>" ${grpcAddress ?? '<address>'} list)

Root admin token (keep it secret): ${rootToken}

Point cortexctl at this server:

    export CORTEXCTL_ADDRESS=${url}
    export CORTEXCTL_TOKEN=${rootToken}

Create a tenant and a token for its Prometheus and Grafana:

    cortexctl tenant create acme
    cortexctl token create --tenant acme --scopes metrics:write,metrics:read

Prometheus remote_write (prometheus.yml):

    remote_write:
      - url: ${url}/api/v1/push
        authorization:
          credentials: <token from 'cortexctl token create'>

Grafana data source (type Prometheus): URL ${url}/prometheus
    with header "Authorization: Bearer <token>" (or Basic auth: user = tenant ID, password = token)

Press Ctrl+C to stop.
`;
}

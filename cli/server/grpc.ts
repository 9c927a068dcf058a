/** The native gRPC listener: AdminService over HTTP/2 cleartext, with server reflection. */
import type { Http2Session } from 'node:http2';
import Fastify from 'fastify';
import type { ControlPlane } from '../../control-plane/index.js';

/** Cortex's gRPC port. */
export const DEFAULT_GRPC_PORT = 9095;

export interface GrpcListener {
  /** `host:port` as gRPC clients take it (grpcurl -plaintext <address> list). */
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function listenGrpc(cp: ControlPlane, host: string, port: number): Promise<GrpcListener> {
  const app = Fastify({ http2: true, logger: false });
  await app.register(cp.rpcPlugin({ reflection: true }));
  // HTTP/2 clients keep their session open; the server's close waits for every session to end, so
  // close them too (in-flight calls finish; WatchAuditEvents streams are ended by the plugin).
  const sessions = new Set<Http2Session>();
  app.server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  await app.listen({ host, port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    async close() {
      const closing = app.close();
      for (const s of sessions) s.close();
      // A stream the client never finished (a refused oversized request) would hold its session.
      const force = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, 1_000);
      await closing;
      clearTimeout(force);
    },
  };
}

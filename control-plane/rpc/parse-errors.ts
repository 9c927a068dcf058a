import type { UniversalHandler, UniversalServerResponse } from '@connectrpc/connect/protocol';

/**
 * connect-es answers a request message it cannot decode from protobuf binary with `internal` ("parse
 * binary: premature EOF"), which the Connect protocol sends as HTTP 500: a client's bad bytes looked
 * like a server fault (found by the admin-rpc fuzz target, issue #24). The JSON decoder already says
 * `invalid_argument`; this wraps each handler so a Connect unary answer of that kind says so too (HTTP
 * 400, the same body otherwise). gRPC and gRPC-Web carry the code in trailers and keep `INTERNAL`,
 * which is what grpc-go itself answers for a request it cannot unmarshal.
 */
export function invalidArgumentForParseErrors(handlers: UniversalHandler[]): void {
  for (let i = 0; i < handlers.length; i++) {
    const h = handlers[i]!;
    const wrapped = async (req: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => {
      const res = await h(req);
      if (res.status !== 500 || !res.header?.get('content-type')?.startsWith('application/json') || !res.body)
        return res;
      const chunks: Uint8Array[] = [];
      for await (const c of res.body) chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      let err: { code?: string; message?: string } | undefined;
      try {
        err = JSON.parse(text);
      } catch {
        err = undefined;
      }
      if (err?.code === 'internal' && err.message?.startsWith('parse binary:')) {
        const body = Buffer.from(JSON.stringify({ ...err, code: 'invalid_argument' }));
        const header = new Headers(res.header);
        header.set('content-length', String(body.length));
        return { ...res, status: 400, header, body: once(body) };
      }
      return { ...res, body: once(Buffer.from(text)) };
    };
    handlers[i] = Object.assign(wrapped, {
      protocolNames: h.protocolNames,
      service: h.service,
      method: h.method,
      requestPath: h.requestPath,
      allowedMethods: h.allowedMethods,
      supportedContentType: h.supportedContentType,
    }) as UniversalHandler;
  }
}

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> {
  yield b;
}

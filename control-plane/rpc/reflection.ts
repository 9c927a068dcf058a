/**
 * gRPC server reflection (v1 and v1alpha, the same protocol under two names) for the native gRPC
 * port: grpcurl, Postman and other tools list the services and fetch the descriptors of AdminService
 * from the server instead of needing the .proto file.
 */
import { create, createFileRegistry, type DescFile, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, type ConnectRouter } from '@connectrpc/connect';
import {
  ServerReflection as ReflectionV1,
  type ServerReflectionRequest,
  type ServerReflectionResponseSchema,
} from '../../gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ReflectionV1alpha } from '../../gen/grpc/reflection/v1alpha/reflection_pb.js';

type Answer = MessageInitShape<typeof ServerReflectionResponseSchema>;

/** A file and everything it imports, each once, imports before their importers (the file last). */
function withDependencies(file: DescFile): DescFile[] {
  const out = new Map<string, DescFile>();
  const visit = (f: DescFile) => {
    if (out.has(f.name)) return;
    f.dependencies.forEach(visit);
    out.set(f.name, f);
  };
  visit(file);
  return [...out.values()];
}

/**
 * Answers reflection requests about `files` (and their imports); `services` are the fully qualified
 * names that ListServices reports.
 */
export function reflectionAnswers(files: readonly DescFile[], services: readonly string[]) {
  const all = new Map<string, DescFile>();
  for (const f of files) for (const d of withDependencies(f)) all.set(d.name, d);
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: [...all.values()].map((f) => f.proto) }));
  const fileAnswer = (file: DescFile | undefined, what: string): Answer =>
    file === undefined
      ? {
          messageResponse: {
            case: 'errorResponse',
            value: { errorCode: Code.NotFound, errorMessage: `${what} not found` },
          },
        }
      : {
          messageResponse: {
            case: 'fileDescriptorResponse',
            value: {
              // The asked-for file first, then what it imports.
              fileDescriptorProto: withDependencies(file)
                .reverse()
                .map((f) => toBinary(FileDescriptorProtoSchema, f.proto)),
            },
          },
        };
  const symbolFile = (symbol: string): DescFile | undefined => {
    const desc = registry.get(symbol);
    if (desc) return desc.file;
    // `package.Service.Method`: the method's service.
    const parent = registry.getService(symbol.slice(0, Math.max(0, symbol.lastIndexOf('.'))));
    return parent?.methods.some((m) => `${parent.typeName}.${m.name}` === symbol) ? parent.file : undefined;
  };

  return (req: ServerReflectionRequest): Answer => {
    const base = { validHost: req.host, originalRequest: req };
    const r = req.messageRequest;
    switch (r.case) {
      case 'listServices':
        return {
          ...base,
          messageResponse: { case: 'listServicesResponse', value: { service: services.map((name) => ({ name })) } },
        };
      case 'fileByFilename':
        return { ...base, ...fileAnswer(registry.getFile(r.value), `file ${r.value}`) };
      case 'fileContainingSymbol':
        return { ...base, ...fileAnswer(symbolFile(r.value), `symbol ${r.value}`) };
      case 'allExtensionNumbersOfType':
        return registry.getMessage(r.value)
          ? { ...base, messageResponse: { case: 'allExtensionNumbersResponse', value: { baseTypeName: r.value } } }
          : { ...base, ...fileAnswer(undefined, `type ${r.value}`) };
      case 'fileContainingExtension':
        return {
          ...base,
          ...fileAnswer(undefined, `extension ${r.value.extensionNumber} of ${r.value.containingType}`),
        };
      default:
        return {
          ...base,
          messageResponse: {
            case: 'errorResponse',
            value: { errorCode: Code.Unimplemented, errorMessage: 'unsupported request' },
          },
        };
    }
  };
}

/** Registers both reflection services on a router (no authentication: descriptors are no secret). */
export function registerReflection(router: ConnectRouter, files: readonly DescFile[], services: readonly string[]) {
  const answer = reflectionAnswers(files, [...services, ReflectionV1.typeName, ReflectionV1alpha.typeName]);
  router.service(ReflectionV1, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield answer(req);
    },
  });
  router.service(ReflectionV1alpha, {
    async *serverReflectionInfo(requests) {
      // The v1alpha messages are v1's under another package: same fields, same numbers.
      for await (const req of requests) yield answer(req as unknown as ServerReflectionRequest) as never;
    },
  });
}

import type { DescMessage, DescService } from "@bufbuild/protobuf";
import { createServiceImplSpec, type ContextValues, type Interceptor, type MethodImplSpec } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import {
  createMethodSerializationLookup,
  validateUniversalHandlerOptions,
  type MethodSerializationLookup,
  type UniversalHandlerOptions,
} from "@connectrpc/connect/protocol";
import type * as http from "node:http";
import type * as http2 from "node:http2";

/** A service and its implementation, as `router.service()` takes them. */
export interface ServedService {
  readonly service: DescService;
  readonly implementation: object;
}

export interface UnaryRoutesOptions {
  /** The services connect-node serves too; only their unary methods are taken here. */
  services: readonly ServedService[];
  /** The same interceptors, in the same order, as connect-node's. Default none. */
  interceptors?: Interceptor[];
  /** As connect-node's `readMaxBytes`. Default 0xffffffff. */
  readMaxBytes?: number;
  /** As connect-node's `writeMaxBytes`. Default 0xffffffff. */
  writeMaxBytes?: number;
  /** As connect-node's `maxTimeoutMs`. Default no limit. */
  maxTimeoutMs?: number;
  /** As connect-node's `shutdownSignal`: aborts every call in flight. Default none. */
  shutdownSignal?: AbortSignal;
  /**
   * As connect-node's `contextValues`; for the calls the gRPC fast path serves on the HTTP/2
   * stream itself, it is given that stream. Default empty values.
   */
  contextValues?: (req: http.IncomingMessage | http2.Http2ServerRequest | http2.ServerHttp2Stream) => ContextValues;
}

/** One unary method: its implementation and its (de)serialisers. */
export interface UnaryRoute {
  readonly spec: Extract<MethodImplSpec, { kind: "unary" }>;
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
}

/** What both unary fast paths look up per request, built once per function. */
export interface UnaryRoutes {
  /** The handler options exactly as connect-node's adapter completes them (gzip and brotli added). */
  readonly opt: UniversalHandlerOptions;
  /** The options given, for what connect's validated options do not carry (`contextValues`). */
  readonly given: UnaryRoutesOptions;
  /** The unary method at an exact path `/<service>/<method>`. */
  get(path: string): UnaryRoute | undefined;
  /** `new URL(path, "http://" + authority)`'s origin as connect-node builds it, cached per authority (up to 256). */
  originOf(authority: string): string;
}

/**
 * The unary methods of the served services by path, with connect's serialisers and handler
 * options, shared by the Connect and gRPC fast paths so they are built once.
 *
 * @example
 * const routes = createUnaryRoutes({ services, interceptors });
 * const handler = (req, res) => connectFastPath(req, res) || grpcFastPath(req, res) || connect(req, res);
 */
export function createUnaryRoutes(options: UnaryRoutesOptions): UnaryRoutes {
  const opt = validateUniversalHandlerOptions({ ...options, acceptCompression: [compressionGzip, compressionBrotli] });
  const routes = new Map<string, UnaryRoute>();
  for (const { service, implementation } of options.services) {
    const serviceSpec = createServiceImplSpec(service, implementation);
    for (const spec of Object.values(serviceSpec.methods)) {
      if (spec.kind !== "unary") continue;
      const serialization = createMethodSerializationLookup(spec.method, opt.binaryOptions, opt.jsonOptions, opt);
      routes.set(`/${service.typeName}/${spec.method.name}`, { spec, serialization });
    }
  }
  const origins = new Map<string, string>();
  return {
    opt,
    given: options,
    get: (path) => routes.get(path),
    originOf(authority) {
      let origin = origins.get(authority);
      if (origin === undefined) {
        origin = new URL(`http://${authority}`).origin;
        if (origins.size < 256) origins.set(authority, origin);
      }
      return origin;
    },
  };
}

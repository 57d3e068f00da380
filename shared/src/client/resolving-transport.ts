import { create } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextKey,
  createContextValues,
  type Interceptor,
  type StreamRequest,
  type Transport,
  type UnaryRequest,
} from "@connectrpc/connect";
import type { Registry } from "../registry/registry.js";
import { inboundCall } from "./inbound-call.js";
import type { TransportPool } from "./transport-pool.js";
import { unavailableFromTransportError } from "./unavailable-from-transport-error.js";

export interface ResolvingTransportOptions {
  /** The function called. */
  target: string;
  registry: Registry;
  pool: TransportPool;
  /** Outermost first: caller identity, tracing, retry, circuit breaker. */
  interceptors: readonly Interceptor[];
  /** Deadline of calls that set none when no inbound deadline applies. */
  defaultTimeoutMs: number;
}

const deadlineKey = createContextKey<number>(0, { description: "kinetic absolute deadline" });

/**
 * A Connect transport for one target function. Per call it fixes one deadline (the caller's
 * timeout, else the remaining inbound deadline, else the default; never later than the inbound
 * one), runs the interceptors, and for each attempt resolves an instance through the registry
 * and sends on that instance's pooled HTTP/2 connection with whatever time is left.
 */
export function createResolvingTransport({ target, registry, pool, interceptors, defaultTimeoutMs }: ResolvingTransportOptions): Transport {
  type AnyRequest = UnaryRequest | StreamRequest;
  const send = async (req: AnyRequest) => {
    const remaining = req.contextValues.get(deadlineKey) - Date.now();
    if (remaining <= 0) throw new ConnectError(`deadline for calling ${req.method.parent.typeName}/${req.method.name} passed before it was sent`, Code.DeadlineExceeded);
    const url = await registry.resolve(target);
    const transport = pool.get(url);
    try {
      return req.stream
        ? await transport.stream(req.method, req.signal, remaining, req.header, req.message, req.contextValues)
        : await transport.unary(req.method, req.signal, remaining, req.header, req.message, req.contextValues);
    } catch (err) {
      throw unavailableFromTransportError(err, target, url);
    }
  };
  const chain = interceptors.reduceRight<(req: AnyRequest) => Promise<unknown>>((next, interceptor) => interceptor(next as never) as never, send);

  const start = (method: AnyRequest["method"], signal: AbortSignal | undefined, timeoutMs: number | undefined, header: ConstructorParameters<typeof Headers>[0], contextValues = createContextValues()) => {
    const inboundDeadline = inboundCall()?.deadline;
    const own = Date.now() + (timeoutMs ?? (inboundDeadline === undefined ? defaultTimeoutMs : Number.POSITIVE_INFINITY));
    const deadline = Math.min(own, inboundDeadline ?? Number.POSITIVE_INFINITY);
    contextValues.set(deadlineKey, deadline);
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
    return {
      service: method.parent,
      requestMethod: "POST",
      url: `${target}/${method.parent.typeName}/${method.name}`,
      signal: controller.signal,
      header: new Headers(header),
      contextValues,
    };
  };

  return {
    unary(method, signal, timeoutMs, header, input, contextValues) {
      const req = { ...start(method, signal, timeoutMs, header, contextValues), stream: false as const, method, message: create(method.input, input) };
      return chain(req as UnaryRequest) as never;
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      const req = { ...start(method, signal, timeoutMs, header, contextValues), stream: true as const, method, message: input };
      return chain(req as unknown as StreamRequest) as never;
    },
  };
}

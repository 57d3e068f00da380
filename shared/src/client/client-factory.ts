import type { DescService } from "@bufbuild/protobuf";
import { createClient as createConnectClient, type Client, type Interceptor } from "@connectrpc/connect";
import { serviceOwners } from "@kinetic/contracts/kinetic/functions.js";
import { registryFromEnv } from "../registry/registry-from-env.js";
import type { Registry } from "../registry/registry.js";
import { createCallerInterceptor } from "./caller-interceptor.js";
import { trackInboundCalls } from "./inbound-call.js";
import { createBreakerPolicy, createCircuitBreakerInterceptor, type CircuitBreakerOptions } from "./circuit-breaker-interceptor.js";
import { createResolvingTransport } from "./resolving-transport.js";
import { RetryBudget, type RetryBudgetOptions } from "./retry-budget.js";
import { createRetryInterceptor, type RetryOptions } from "./retry-interceptor.js";
import { createTransportPool, type ClientProtocol } from "./transport-pool.js";

export interface ClientFactoryOptions {
  /** The calling function's name, sent as `kinetic-caller`. Default: none (an outside caller). */
  caller?: string;
  /** Where functions are found. Default `registryFromEnv()`. */
  registry?: Registry;
  /** Deadline of calls that set none, outside any inbound deadline. Default 10000 ms. */
  defaultTimeoutMs?: number;
  /** Wire protocol between functions. Default "connect" (binary over HTTP/2; faster than gRPC in connect-node, see transport-pool.ts). */
  protocol?: ClientProtocol;
  /** Retry policy; `false` turns retries off. Default `RetryOptions` defaults. */
  retry?: Omit<RetryOptions, "budget"> & { budget?: RetryBudgetOptions } | false;
  /** Circuit breaker per target; `false` turns it off. Default `CircuitBreakerOptions` defaults. */
  breaker?: CircuitBreakerOptions | false;
  /** Client tracing interceptor (from telemetry). Default none. */
  tracing?: Interceptor;
  /** Which function serves which service. Default the generated `serviceOwners` (tests pass their own). */
  owners?: Readonly<Record<string, string>>;
}

/** Makes typed clients of other functions; one per process, sharing connections, breakers and retry budgets. */
export interface ClientFactory {
  client<S extends DescService>(service: S): Client<S>;
  close(): void;
}

/**
 * Creates the client factory. Each client's interceptors run in this order: deadline (fixed
 * first by the transport), caller identity, tracing, retry, circuit breaker, then the wire.
 *
 * @example
 * const clients = createClientFactory({ caller: "auth" });
 * const identity = clients.client(IdentityService);
 * const { user } = await identity.verifyPassword({ email, password });
 */
export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const { caller, registry = registryFromEnv(), defaultTimeoutMs = 10_000, protocol = "connect", retry = {}, breaker = {}, tracing, owners = serviceOwners } = options;
  const pool = createTransportPool({ protocol });
  const perTarget = new Map<string, Interceptor[]>();
  const interceptorsOf = (target: string) => {
    let interceptors = perTarget.get(target);
    if (!interceptors) {
      interceptors = [
        createCallerInterceptor(caller),
        ...(tracing ? [tracing] : []),
        ...(retry === false ? [] : [createRetryInterceptor({ ...retry, budget: new RetryBudget(retry.budget) })]),
        ...(breaker === false ? [] : [createCircuitBreakerInterceptor(target, createBreakerPolicy(breaker))]),
      ];
      perTarget.set(target, interceptors);
    }
    return interceptors;
  };
  return {
    client(service) {
      const target = owners[service.typeName];
      if (target === undefined) {
        throw new TypeError(`no function declares ${service.typeName}: list it in a function's services and run \`npm run gen\``);
      }
      // Its calls carry the deadline and subject of the call they are made in.
      trackInboundCalls();
      const transport = createResolvingTransport({ target, registry, pool, interceptors: interceptorsOf(target), defaultTimeoutMs });
      return createConnectClient(service, transport);
    },
    close: () => pool.close(),
  };
}

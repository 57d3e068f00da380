import type * as http from "node:http";
import type * as http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { Code } from "@connectrpc/connect";
import type { ActivatorEvent } from "./activator-event.js";
import type { ActivatorStatus, FunctionStatus } from "./activator-status.js";
import { createFunctionPool, type FunctionPool } from "./create-function-pool.js";
import { createProxyServer, type ProxyServer } from "./create-proxy-server.js";
import { dashboardHtml } from "./dashboard-html.js";
import { errorResponse, type ErrorResponse } from "./error-response.js";
import type { ActivatorFunction } from "./load-activator-function.js";
import { proxyHttp1Request, respondHttp1 } from "./proxy-http1-request.js";
import { proxyHttp2Stream, respondHttp2 } from "./proxy-http2-stream.js";
import { requestProtocol } from "./request-protocol.js";
import { routeRequest, type RoutingTable } from "./route-request.js";

export interface ActivatorOptions {
  /** The functions to run, their declarations read with `loadActivatorFunction`. Required. */
  functions: readonly ActivatorFunction[];
  /** Working directory of every instance, against which modules are resolved. Default this repository's root. */
  root?: string;
  /** The entry port, routing by Host and RPC path; 0 lets the OS pick. Default 8080. */
  port?: number;
  /** The first function's own port, the next ones following in name order; 0 lets the OS pick each. Default 8081. */
  basePort?: number;
  /** Address every port binds. Default "127.0.0.1". */
  host?: string;
  /** Environment of the instances (they also get PORT=0 and K_SERVICE, K_CONFIGURATION, K_REVISION). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Idle time after which an instance is stopped, for functions whose declaration sets no `scaling.windowSeconds`; fractions allowed. Default 30 s. */
  idleSeconds?: number;
  /** Requests that may wait for an instance, per function; more get resource_exhausted. Default 1000. */
  maxQueued?: number;
  /** Longest wait for an instance, unless the request's own deadline is shorter. Default 60000 ms. */
  queueTimeoutMs?: number;
  /** An instance not ready by then is killed and its waiting requests fail. Default 60000 ms. */
  startTimeoutMs?: number;
  /** On close, an instance still draining after this is killed. Default 30000 ms. */
  stopTimeoutMs?: number;
  /** The namespace shown in each function's cluster host name (any namespace routes). Default "default". */
  namespace?: string;
  /** Each change of the platform's state: instance starting, scaled, failed to start. Default none. */
  onEvent?: (event: ActivatorEvent) => void;
  /** Each line an instance prints. Default none. */
  onLine?: (fn: string, instance: number, line: string) => void;
}

/** The running activator. */
export interface Activator {
  /** The entry port's address, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A function's own address on the activator; what the registry resolves it to. Undefined for an unknown function. */
  urlOf(fn: string): string | undefined;
  status(): ActivatorStatus;
  /** Stops accepting, fails queued requests, drains every instance (SIGTERM, then SIGKILL after stopTimeoutMs) and closes every connection. */
  close(): Promise<void>;
}

const defaultRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Knative's serving data plane on one machine: every request to a function, from a client,
 * another function or the event dispatcher, goes through here. The entry port routes by Host
 * or RPC path; each function also has a stable port of its own (its ClusterIP). Functions
 * scale from zero on their first request (it waits, nothing is dropped), out on concurrency
 * (KPA: in flight / target, within minScale..maxScale, containerConcurrency as a hard limit)
 * and back to zero when idle; see `createFunctionPool`. HTTP/1.1 and h2c on every port,
 * streamed through without buffering.
 *
 * @example
 * const activator = await startActivator({ functions: [await loadActivatorFunction(root, "functions/audit/src/index.ts")], port: 0, basePort: 0 });
 * // http://audit.localhost:<port>/… or activator.urlOf("audit")
 * await activator.close();
 */
export async function startActivator(options: ActivatorOptions): Promise<Activator> {
  const { root = defaultRoot, port = 8080, basePort = 8081, host = "127.0.0.1", env = process.env, idleSeconds = 30, namespace = "default" } = options;
  const { maxQueued = 1000, queueTimeoutMs = 60_000, startTimeoutMs = 60_000, stopTimeoutMs = 30_000 } = options;
  const { onEvent = () => {}, onLine = () => {} } = options;
  const functions = [...options.functions].sort((a, b) => a.name.localeCompare(b.name));
  const repeated = functions.find((fn, i) => i > 0 && functions[i - 1]!.name === fn.name);
  if (repeated !== undefined) throw new TypeError(`two functions are named "${repeated.name}"`);
  if (!(idleSeconds > 0)) throw new TypeError(`idleSeconds must be above 0, got ${idleSeconds}`);

  const pools = new Map<string, FunctionPool>(
    functions.map((fn) => [
      fn.name,
      createFunctionPool({
        fn,
        root,
        env,
        idleMs: (fn.scaling.windowSeconds ?? idleSeconds) * 1000,
        maxQueued,
        queueTimeoutMs,
        startTimeoutMs,
        onEvent,
        onLine,
      }),
    ]),
  );
  const owners = new Map<string, string[]>();
  for (const fn of functions) for (const service of fn.services) owners.set(service, [...(owners.get(service) ?? []), fn.name]);
  const table: RoutingTable = { functions: new Set(pools.keys()), owners };
  const urls = new Map<string, string>();
  let entryUrl = "";

  const status = (): ActivatorStatus => ({
    url: entryUrl,
    functions: [...pools.values()].map(
      (pool): FunctionStatus => ({
        ...pool.status(),
        url: urls.get(pool.fn.name)!,
        hosts: [`${pool.fn.name}.${namespace}.svc.cluster.local`, `${pool.fn.name}.localhost`],
      }),
    ),
  });
  const notFound = () => {
    const list = [...urls].map(([name, url]) => `${name} (${url}, Host ${name}.localhost)`).join(", ");
    return `no function here: address one by Host (<name>.localhost or <name>.<namespace>.svc.cluster.local), by RPC path (/<package>.<Service>/<Method>) or at its own port; functions: ${list || "none"}; GET / shows the platform`;
  };

  /** Where the entry port sends a request: to a function's pool, or to an answer of its own. */
  const ownAnswer = (method: string, path: string, contentType: string | undefined, hostHeader: string | undefined): { pool: FunctionPool } | ErrorResponse => {
    const route = routeRequest(hostHeader, method, path, table);
    const protocol = requestProtocol(contentType, method, path);
    switch (route.kind) {
      case "function":
        return { pool: pools.get(route.fn)! };
      case "dashboard":
        return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: Buffer.from(dashboardHtml()) };
      case "status":
        return { status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify(status(), null, 2)) };
      case "no-service":
        return errorResponse(protocol, Code.Unimplemented, route.message, { contentType });
      case "not-found":
        return errorResponse(protocol, Code.Unimplemented, notFound(), { contentType });
    }
  };

  const handlersFor = (fixed: FunctionPool | undefined) => ({
    onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
      const target = fixed ? { pool: fixed } : ownAnswer(req.method ?? "GET", req.url ?? "/", req.headers["content-type"], req.headers.host);
      if ("pool" in target) void proxyHttp1Request(req, res, target.pool);
      else {
        req.resume();
        respondHttp1(res, target);
      }
    },
    onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) {
      const target = fixed
        ? { pool: fixed }
        : ownAnswer(headers[":method"] ?? "GET", headers[":path"] ?? "/", headers["content-type"], headers[":authority"] ?? headers.host);
      if ("pool" in target) void proxyHttp2Stream(stream, headers, flags, target.pool);
      else respondHttp2(stream, target);
    },
  });

  const servers: ProxyServer[] = [];
  const closeServers = () => {
    for (const server of servers) {
      server.stopAccepting();
      server.destroy();
    }
  };
  const listen = async (server: ProxyServer, at: number, what: string) => {
    servers.push(server);
    try {
      return (await server.listen(at, host)).port;
    } catch (err) {
      closeServers();
      const hint = (err as NodeJS.ErrnoException).code === "EADDRINUSE" ? `; free it, or choose other ports (PORT, KINETIC_DEV_PORT)` : "";
      throw new Error(`the activator cannot listen on ${host}:${at} for ${what}: ${(err as Error).message}${hint}`);
    }
  };
  entryUrl = `http://127.0.0.1:${await listen(createProxyServer(handlersFor(undefined)), port, "its entry port")}`;
  for (const [i, fn] of functions.entries()) {
    const own = await listen(createProxyServer(handlersFor(pools.get(fn.name))), basePort === 0 ? 0 : basePort + i, fn.name);
    urls.set(fn.name, `http://127.0.0.1:${own}`);
  }

  // Instances have their own process groups: whatever ends this process must end them too.
  const killAll = () => {
    for (const pool of pools.values()) pool.kill();
  };
  process.once("exit", killAll);
  for (const pool of pools.values()) pool.start();

  let closing: Promise<void> | undefined;
  return {
    url: entryUrl,
    urlOf: (fn) => urls.get(fn),
    status,
    close() {
      closing ??= (async () => {
        for (const server of servers) server.stopAccepting();
        await Promise.all([...pools.values()].map((pool) => pool.close(stopTimeoutMs)));
        for (const server of servers) server.destroy();
        process.off("exit", killAll);
      })();
      return closing;
    },
  };
}

import { rpcPathOf } from "./rpc-path.js";

/** Where the entry port sends a request. */
export type Route =
  | { readonly kind: "function"; readonly fn: string }
  | { readonly kind: "dashboard" }
  | { readonly kind: "status" }
  /** An RPC path whose service no single function serves; `message` says which exist. */
  | { readonly kind: "no-service"; readonly message: string }
  | { readonly kind: "not-found" };

/** What routing knows: function names and the functions declaring each service. */
export interface RoutingTable {
  readonly functions: ReadonlySet<string>;
  readonly owners: ReadonlyMap<string, readonly string[]>;
}

/** Services every function serves itself, so a path alone cannot pick one. */
const everyFunction = /^grpc\.(health\.v1\.Health|reflection\.v1(alpha)?\.ServerReflection)$/;

/** The function a Host names: `<name>.<namespace>[.svc[.cluster.local]]` or `<name>.localhost`, any port. */
export function functionOfHost(host: string | undefined, functions: ReadonlySet<string>): string | undefined {
  if (host === undefined) return undefined;
  const name = host.replace(/:\d+$/, "").toLowerCase().replace(/\.$/, "");
  const [first, ...rest] = name.split(".");
  if (first === undefined || !functions.has(first)) return undefined;
  const suffix = rest.join(".");
  const matches = rest.length === 1 || (rest.length === 2 && rest[1] === "svc") || (rest.length === 4 && suffix.endsWith(".svc.cluster.local"));
  return matches ? first : undefined;
}

/**
 * Routes a request arriving on the entry port, as a cluster's ingress and DNS would: by Host
 * first (a Host naming no function falls through), then by the RPC path's service, then the
 * activator's own pages (`GET /`, `GET /_kinetic/status`).
 */
export function routeRequest(host: string | undefined, method: string, path: string, table: RoutingTable): Route {
  const byHost = functionOfHost(host, table.functions);
  if (byHost !== undefined) return { kind: "function", fn: byHost };
  const rpc = rpcPathOf(path);
  if (rpc !== undefined) {
    const owners = table.owners.get(rpc.service) ?? [];
    if (owners.length === 1) return { kind: "function", fn: owners[0]! };
    const known = [...table.owners].map(([service, fns]) => `${service} (${fns.join(", ")})`).join(", ") || "none";
    const pickOne = "address one by Host (<name>.localhost) or at its own port";
    const message =
      owners.length > 1
        ? `${rpc.service} is served by several functions (${owners.join(", ")}): ${pickOne}`
        : everyFunction.test(rpc.service)
          ? `every function serves ${rpc.service}: ${pickOne}`
          : `no function serves ${rpc.service}; the services here: ${known}`;
    return { kind: "no-service", message };
  }
  const bare = path.split("?")[0];
  if (method === "GET" && bare === "/") return { kind: "dashboard" };
  if (method === "GET" && bare === "/_kinetic/status") return { kind: "status" };
  return { kind: "not-found" };
}

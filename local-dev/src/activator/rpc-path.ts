/** The service and method of an RPC path, `/<package>.<Service>/<Method>`, as Connect and gRPC address them. */
export interface RpcPath {
  readonly service: string;
  readonly method: string;
}

const pattern = /^\/([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\/([A-Za-z_]\w*)$/;

/** Parses the path of a request (its query string ignored); undefined when it is no RPC path. */
export function rpcPathOf(path: string): RpcPath | undefined {
  const query = path.indexOf("?");
  const match = pattern.exec(query === -1 ? path : path.slice(0, query));
  return match ? { service: match[1]!, method: match[2]! } : undefined;
}

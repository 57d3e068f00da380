import type { IncomingHttpHeaders } from "node:http";

const grpcUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * The deadline a request carries, in ms (`Connect-Timeout-Ms`, or `grpc-timeout` such as
 * "100m"); undefined when absent or malformed (the function rejects malformed values itself).
 * The activator never queues a request past it.
 */
export function timeoutFromHeaders(headers: IncomingHttpHeaders): number | undefined {
  const connect = headers["connect-timeout-ms"];
  if (typeof connect === "string") return /^\d{1,10}$/.test(connect) ? Number(connect) : undefined;
  const grpc = headers["grpc-timeout"];
  const match = typeof grpc === "string" ? /^(\d{1,8})([HMSmun])$/.exec(grpc) : null;
  return match ? Number(match[1]) * grpcUnits[match[2]!]! : undefined;
}

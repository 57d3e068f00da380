const grpcUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * The timeout a request asked for, in ms: `Connect-Timeout-Ms`, or `grpc-timeout` ("100m",
 * "5S"…). Undefined when absent or malformed (the protocol handler rejects malformed values).
 */
export function timeoutFromHeaders(header: Headers): number | undefined {
  const connect = header.get("connect-timeout-ms");
  if (connect !== null) return /^\d{1,10}$/.test(connect) ? Number(connect) : undefined;
  const grpc = header.get("grpc-timeout");
  const match = grpc === null ? null : /^(\d{1,8})([HMSmun])$/.exec(grpc);
  return match ? Number(match[1]) * grpcUnits[match[2]!]! : undefined;
}

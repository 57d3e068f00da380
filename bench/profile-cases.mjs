// What the profiles (`--only=profile`) cover: the Kinetic echo server with its unary fast paths
// off (connect-node's adapter serves everything, as before the fast paths) and on, under Connect
// JSON over HTTP/1.1 and gRPC over h2c. No imports: run.mjs reads this before the build.

/** The protocols profiled (`protocol`: a key of protocols.mjs). */
export const profileProtocols = [
  { id: "connect-json-h1", protocol: "http1-json", label: "Connect JSON, HTTP/1.1" },
  { id: "grpc-h2c", protocol: "h2c-grpc", label: "gRPC, h2c" },
];

/** `KINETIC_FAST_PATH` values, the "before" first. */
export const fastPaths = [
  { id: "fast-path-off", value: "off", label: "off (before)" },
  { id: "fast-path-on", value: "on", label: "on (after)" },
];

/**
 * The profiles `only` (the `--only` list; empty: every one) selects, each `{ id, name,
 * protocol, fastPath }`: `id` is what `--only` matches (`profile:grpc-h2c:fast-path-on`),
 * `name` the file name of its profile and flame graph. Off and on alternate.
 */
export function profileCases(only) {
  const cases = profileProtocols.flatMap((protocol) =>
    fastPaths.map((fastPath) => ({ id: `profile:${protocol.id}:${fastPath.id}`, name: `${protocol.id}-${fastPath.id}`, protocol, fastPath })),
  );
  return cases.filter((c) => only.length === 0 || only.some((s) => c.id.includes(s)));
}

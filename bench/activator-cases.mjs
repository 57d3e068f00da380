// What the emulator benchmark measures, without the request bodies (those need the build): the
// functions whose cold start is measured, the protocols and ports loaded, and the row ids
// `--only` selects from.

export const echoModule = "bench/servers/activator-echo.mjs";
export const echoPath = "/kinetic.echo.v1.EchoService/Echo";

/** Functions woken from zero: `fn` is the function's name, `module` what its instances serve. */
export const coldTargets = [
  { id: "echo", fn: "bench-echo", module: echoModule, label: "bench-echo, Echo", path: echoPath },
  { id: "identity", fn: "identity", module: "functions/identity/src/index.ts", label: "identity, ListUsers", path: "/kinetic.identity.v1.IdentityService/ListUsers" },
];

/** The protocols loading bench-echo (`protocol`: a key of protocols.mjs). */
export const loadProtocols = [
  { id: "connect-json", protocol: "http1-json", label: "Connect JSON, HTTP/1.1" },
  { id: "grpc", protocol: "h2c-grpc", label: "gRPC, h2c" },
];

/** Where the load goes, the baseline first. */
export const loadTargets = [
  { id: "direct", label: "the instance's own port (direct)" },
  { id: "function-port", label: "the function's port on the activator" },
  { id: "entry", label: "the activator's entry port" },
];

/** The parts `only` (the `--only` list; empty: everything) selects: `{ cold, load, memory }`. */
export function activatorParts(only) {
  const picked = (id) => only.length === 0 || only.some((s) => id.includes(s));
  return {
    cold: coldTargets.filter((t) => picked(`activator:cold:${t.id}`)),
    load: loadProtocols.filter((p) => picked(`activator:load:${p.id}`)),
    memory: picked("activator:memory"),
  };
}

/** A cold-start row of `target` (one of coldTargets) for `path`, "activator" or "direct". */
export function coldRow(target, path, fields) {
  return {
    id: `activator:cold:${target.id}:${path}`,
    target: target.id,
    label: target.label,
    path,
    pathLabel: path === "direct" ? "spawned directly" : "through the activator",
    ...fields,
  };
}

/** A throughput row of protocol `p` (one of loadProtocols) to `target` (one of loadTargets); `tool` loads it. */
export function loadRow(p, target, tool, fields) {
  return { id: `activator:load:${p.id}:${target.id}`, protocol: p.id, protocolLabel: p.label, target: target.id, targetLabel: target.label, tool, ...fields };
}

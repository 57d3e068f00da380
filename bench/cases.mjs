// What is measured: every server, how to start it, which protocols load it, and how its cold
// start is measured. Paths are relative to the repository root.
import { readFileSync } from "node:fs";
import { echoPath } from "./activator-cases.mjs";
import { echoBundle } from "./build.mjs";

/** The installed version of an npm package, for the labels ("not installed" when missing). */
function withVersion(name) {
  try {
    const manifest = readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), "utf8");
    return `${name} ${JSON.parse(manifest).version}`;
  } catch {
    return `${name} (not installed)`;
  }
}

/** The echo call in each protocol the Connect and gRPC servers are loaded with. */
const connectJson = { protocol: "http1-json", label: "Connect JSON, HTTP/1.1", path: echoPath };
const connectBinary = { protocol: "http1-proto", label: "Connect binary, HTTP/1.1", path: echoPath };
const grpc = { protocol: "h2c-grpc", label: "gRPC, h2c", path: echoPath };

const kineticLauncher = ["shared/dist/bin/serve.js", "shared/dist/testing/echo-function.js"];

/** The echo fixture as its image would run it: `npm run bundle`'s output, with the Dockerfile's ENTRYPOINT flags (none). */
const kineticBundle = [echoBundle];

/**
 * A server: `args` for `node`; `needs` names a build it requires ("shared"); `cases` the
 * protocols loading it; `coldStart` (when present) may replace `args` with the production
 * launcher, and `needs` with the build that makes it ("bundle"). The cold-start probe is
 * `coldStart.probe`, else the first case's request; `coldStart.tracing` exports spans to the
 * harness's OTLP sink.
 */
export const servers = [
  {
    id: "raw-http",
    label: "raw node:http (baseline)",
    args: ["bench/servers/raw-http.mjs"],
    cases: [{ protocol: "http1-json", label: "JSON POST, HTTP/1.1", path: "/" }],
    coldStart: {},
  },
  {
    id: "raw-http2",
    label: "raw node:http2 (h2c reference)",
    args: ["bench/servers/raw-http2.mjs"],
    cases: [grpc],
  },
  {
    id: "connect-node",
    label: withVersion("@connectrpc/connect-node"),
    args: ["bench/servers/connect-node-http1.mjs"],
    cases: [
      connectJson,
      connectBinary,
    ],
    coldStart: {},
  },
  {
    id: "connect-node-h2c",
    label: withVersion("@connectrpc/connect-node"),
    args: ["bench/servers/connect-node-h2c.mjs"],
    cases: [grpc],
  },
  {
    id: "kinetic",
    label: "Kinetic runtime",
    args: ["bench/servers/kinetic.mjs"],
    needs: "shared",
    env: { LOG_LEVEL: "warn" },
    cases: [
      connectJson,
      connectBinary,
      grpc,
    ],
    coldStart: { label: "Kinetic runtime (production bundle, tracing off)", args: kineticBundle, needs: "bundle" },
  },
  {
    // The "before" of the fast paths, in the same run: every call through connect-node's adapter.
    id: "kinetic-fast-path-off",
    label: "Kinetic runtime, fast path off (before)",
    args: ["bench/servers/kinetic.mjs"],
    needs: "shared",
    env: { LOG_LEVEL: "warn", KINETIC_FAST_PATH: "off" },
    cases: [
      connectJson,
      connectBinary,
      grpc,
    ],
  },
  {
    id: "kinetic-traced",
    label: "Kinetic runtime, tracing on",
    args: kineticBundle,
    needs: "bundle",
    env: { LOG_LEVEL: "warn" },
    cases: [],
    coldStart: {
      label: "Kinetic runtime (production bundle, tracing on)",
      probe: connectJson,
      tracing: true,
    },
  },
  {
    id: "kinetic-tsc",
    label: "Kinetic runtime, tsc output",
    args: kineticLauncher,
    needs: "shared",
    env: { LOG_LEVEL: "warn" },
    cases: [],
    coldStart: {
      label: "Kinetic runtime (tsc output via kinetic-serve, tracing off; reference)",
      probe: connectJson,
    },
  },
  {
    id: "grpc-js",
    label: withVersion("@grpc/grpc-js"),
    args: ["bench/servers/grpc-js.mjs"],
    cases: [grpc],
    coldStart: {},
  },
  {
    id: "faas-js",
    label: withVersion("faas-js-runtime"),
    args: ["bench/servers/faas-js.mjs"],
    cases: [{ protocol: "http1-json", label: "JSON POST, HTTP/1.1", path: "/" }],
    coldStart: {},
  },
];

/** The id the throughput baseline and the cold-start baseline carry. */
export const baselineId = "raw-http";

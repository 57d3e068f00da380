// What the hop-latency measurement loads: chains of Kinetic functions, each function its own
// process on the server core, called at a fixed rate. A deployment is the processes started
// together (tail first, each told where the previous one listens); its routes are what the
// load generator calls. Import after the build: the request bodies come from the contracts.
import { protocols } from "./protocols.mjs";

const echoPath = "/kinetic.echo.v1.EchoService/Echo";
const echoProbe = { protocol: protocols["http1-proto"], path: echoPath };
// EchoRequest { message } and EchoResponse { message } encode the same.
const echoBytes = protocols["http1-proto"].body;

/** The functions of an n-hop echo chain, tail first: the echo fixture, then n relays. */
function echoChainProcesses(hops, env) {
  const echo = { name: "echo", args: ["shared/dist/bin/serve.js", "shared/dist/testing/echo-function.js"], env, probe: echoProbe };
  const relay = (n) => ({ name: `relay ${n}`, args: ["bench/servers/relay.mjs"], env, probe: echoProbe, upstream: "KINETIC_ECHO_URL" });
  return [echo, ...Array.from({ length: hops }, (_, i) => relay(i + 1))];
}

/**
 * client → echo, client → relay → echo and client → relay → relay → echo, with tracing off and
 * on (`tracing`: the harness points OTEL_EXPORTER_OTLP_ENDPOINT at its sink). Each n-hop route
 * is compared with the 0-hop route of the same tracing (`base`).
 */
export const hopDeployments = [false, true].flatMap((tracing) =>
  [0, 1, 2].map((hops) => {
    const prefix = tracing ? "chain:traced-" : "chain:";
    return {
      id: `${prefix}${hops}-hops`,
      kind: "hops",
      needs: ["shared"],
      tracing,
      // Calls per second before measuring: below what the 2-hop chain saturates at.
      primeRate: 100,
      processes: echoChainProcesses(hops, { LOG_LEVEL: "warn" }),
      routes: [
        {
          id: `${prefix}${hops}-hops`,
          label: ["client", ...Array(hops).fill("relay"), "echo"].join(" → "),
          hops,
          base: `${prefix}0-hops`,
          request: { path: echoPath, contentType: "application/proto", body: echoBytes, expect: echoBytes },
        },
      ],
    };
  }),
);

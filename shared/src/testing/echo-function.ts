import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { defineFunction, implement } from "../function/define-function.js";

/** Sleeps `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `EchoService`'s client and bidi streams as the echo fixture serves them: the client stream
 * answers its messages joined and their count, the bidi stream echoes each message. Other
 * fixtures serving `EchoService` take them as they are.
 */
export const echoStreams: Pick<ServiceImpl<typeof EchoService>, "echoClientStream" | "echoBidiStream"> = {
  async echoClientStream(requests) {
    const parts: string[] = [];
    for await (const req of requests) parts.push(req.message);
    return { message: parts.join(""), count: parts.length };
  },
  async *echoBidiStream(requests) {
    for await (const req of requests) yield { message: req.message };
  },
};

/**
 * A function serving `kinetic.echo.v1.EchoService`, every RPC kind, with no database. The
 * protocol conformance tests and the benchmarks run it; it is not deployed.
 */
export const echoFunction = defineFunction({
  name: "echo",
  description: "echoes requests back; conformance tests and benchmarks",
  services: [EchoService],
  setup: () => ({
    services: [
      implement(EchoService, {
        async echo(req, ctx) {
          if (req.delayMs > 0) await sleep(req.delayMs, ctx.signal);
          if (req.failWithCode > 0) throw new ConnectError(req.message, req.failWithCode as Code);
          ctx.responseHeader.set("x-echo-header", ctx.requestHeader.get("x-echo-header") ?? "");
          ctx.responseTrailer.set("x-echo-trailer", "done");
          return { message: req.message };
        },
        async *echoServerStream(req, ctx) {
          for (let index = 0; index < req.repeat; index++) {
            if (index > 0 && req.intervalMs > 0) await sleep(req.intervalMs, ctx.signal);
            yield { message: req.message, index };
          }
        },
        ...echoStreams,
      }),
    ],
  }),
});

export default echoFunction;

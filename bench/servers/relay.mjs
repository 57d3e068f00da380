// One hop of the hop-latency chains: a function whose Echo calls EchoService.Echo on the next
// function through the runtime's client (deadline, caller, tracing, retry, breaker) and returns
// its answer. KINETIC_ECHO_URL names the next hop. Runs the compiled runtime (shared/dist).
import { Code, ConnectError } from "@connectrpc/connect";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { createRegistry, defineFunction, envOverrideStrategy, implement, runFunction } from "@kinetic/runtime";

/** The streaming RPCs: the runtime wants every method, the chains call only Echo. */
function unimplemented() {
  throw new ConnectError("the relay forwards unary Echo only", Code.Unimplemented);
}

const relay = defineFunction({
  name: "relay",
  description: "forwards each echo to the next function; benchmarks only",
  services: [EchoService],
  setup: ({ client }) => {
    const next = client(EchoService);
    return {
      services: [
        implement(EchoService, {
          async echo(req, ctx) {
            const { message } = await next.echo({ message: req.message }, { signal: ctx.signal });
            return { message };
          },
          echoServerStream: unimplemented,
          echoClientStream: unimplemented,
          echoBidiStream: unimplemented,
        }),
      ],
    };
  },
});

// EchoService has no owner in the generated directory: this chain says the next hop serves it.
const owners = { [EchoService.typeName]: "echo" };
await runFunction(relay, { host: "127.0.0.1", clients: { owners, registry: createRegistry([envOverrideStrategy()]) } });

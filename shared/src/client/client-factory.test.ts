import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { defineFunction, implement } from "../function/define-function.js";
import { createRegistry, type RegistryStrategy } from "../registry/registry.js";
import { echoFunction } from "../testing/echo-function.js";
import { closedPortUrl, startBlackHole, startFakeServer, type FakeServer } from "../testing/start-fake-server.js";
import { startFunction, type StartedFunction } from "../testing/start-function.js";
import { waitFor } from "../testing/wait-for.js";
import { createClientFactory } from "./client-factory.js";

const owners = { [EchoService.typeName]: "echo", [IdentityService.typeName]: "identity" };
const fixed = (urls: Record<string, string>): RegistryStrategy => ({ name: "fixed", resolve: async (fn) => urls[fn] });
const codeOf = (err: unknown) => ConnectError.from(err).code;

/** A function whose Echo relays to the echo function through ctx.client. */
const relayFunction = defineFunction({
  name: "relay",
  description: "relays Echo to the echo function",
  services: [EchoService],
  setup: (ctx) => {
    const echo = ctx.client(EchoService);
    return {
      services: [
        implement(EchoService, {
          echo: (req) => echo.echo(req),
          async *echoServerStream(req) {
            yield* echo.echoServerStream(req);
          },
          echoClientStream: (reqs) => echo.echoClientStream(reqs),
          echoBidiStream: (reqs) => echo.echoBidiStream(reqs),
        }),
      ],
    };
  },
});

describe("clients between functions", () => {
  let echo: StartedFunction;
  let relay: StartedFunction;
  before(async () => {
    echo = await startFunction(echoFunction);
    relay = await startFunction(relayFunction, {}, { clients: { owners, registry: createRegistry([fixed({ echo: echo.url })]) } });
  });
  after(async () => {
    await relay.close();
    await echo.close();
  });

  it("should reach the target through the registry and tell it who calls", async () => {
    const client = createClient(EchoService, createConnectTransport({ baseUrl: relay.url, httpVersion: "1.1" }));
    assert.equal((await client.echo({ message: "via relay" })).message, "via relay");
    const line = echo.logs.find((l) => l["msg"] === "request" && l["procedure"] === "kinetic.echo.v1.EchoService/Echo");
    assert.equal(line?.["caller"], "relay");
    assert.equal(line?.["protocol"], "connect", "functions call each other with the Connect protocol");
    assert.equal(line?.["http_version"], "2.0", "over HTTP/2");
  });

  it("should pass the caller's remaining deadline on, so the target sees it", async () => {
    const client = createClient(EchoService, createConnectTransport({ baseUrl: relay.url, httpVersion: "1.1" }));
    await assert.rejects(client.echo({ message: "deadline", delayMs: 5000 }, { timeoutMs: 1500 }), (e: unknown) => codeOf(e) === Code.DeadlineExceeded);
    const line = await waitFor(
      () => echo.logs.find((l) => l["msg"] === "request" && typeof l["timeout_ms"] === "number" && l["code"] !== "ok"),
      5000,
      "the echo function's log of the relayed call",
    );
    // Echo's deadline and the relay's client deadline are the same instant: whichever fires first
    // ends echo's call, as deadline_exceeded (its own) or canceled (the relay hung up on it).
    assert.ok(["deadline_exceeded", "canceled"].includes(line["code"] as string), `echo ended with ${line["code"]}`);
    assert.ok((line["timeout_ms"] as number) <= 1500 && (line["timeout_ms"] as number) > 500, `echo saw ${line["timeout_ms"]} ms`);
  });

  it("should pass a downstream error on with its code, not the downstream protocol's headers", async () => {
    const grpcRelay = await startFunction(relayFunction, {}, { clients: { owners, protocol: "grpc", registry: createRegistry([fixed({ echo: echo.url })]) } });
    after(() => grpcRelay.close());
    for (const [baseUrl, httpVersion] of [[relay.url, "1.1"], [relay.url, "2"], [grpcRelay.url, "1.1"], [grpcRelay.url, "2"]] as const) {
      const client = createClient(EchoService, createConnectTransport({ baseUrl, httpVersion }));
      await assert.rejects(client.echo({ message: "gone downstream", failWithCode: Code.NotFound }), (e: unknown) => {
        const err = ConnectError.from(e);
        assert.equal(Code[err.code], Code[Code.NotFound], err.message);
        assert.equal(err.rawMessage, "gone downstream");
        return true;
      });
    }
  });

  it("should stream through the client too", async () => {
    const client = createClient(EchoService, createConnectTransport({ baseUrl: relay.url, httpVersion: "1.1" }));
    const indexes: number[] = [];
    for await (const res of client.echoServerStream({ message: "s", repeat: 3 })) indexes.push(res.index);
    assert.deepEqual(indexes, [0, 1, 2]);
  });
});

describe("retries", () => {
  let calls: Record<string, number>;
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer((router) =>
      router.service(IdentityService, {
        createUser() {
          calls["createUser"] = (calls["createUser"] ?? 0) + 1;
          throw new ConnectError("overloaded", Code.Unavailable);
        },
        getUser(req) {
          calls["getUser"] = (calls["getUser"] ?? 0) + 1;
          if (calls["getUser"] < 3) throw new ConnectError("overloaded", Code.Unavailable);
          return { user: { id: req.id } };
        },
        listUsers: () => ({}),
        updateUser: () => ({}),
        deleteUser: () => ({}),
        verifyPassword() {
          calls["verifyPassword"] = (calls["verifyPassword"] ?? 0) + 1;
          return {};
        },
      }),
    );
  });
  after(() => server.close());

  it("should retry a NO_SIDE_EFFECTS method after unavailable, within budget", async () => {
    calls = {};
    const clients = createClientFactory({ owners, registry: createRegistry([fixed({ identity: server.url })]) });
    const id = "0190b6f0-0000-7000-8000-000000000000";
    assert.equal((await clients.client(IdentityService).getUser({ id })).user?.id, id);
    assert.equal(calls["getUser"], 3);
    clients.close();
  });

  it("should never re-send a non-idempotent method that reached the target", async () => {
    calls = {};
    const clients = createClientFactory({ owners, registry: createRegistry([fixed({ identity: server.url })]) });
    await assert.rejects(clients.client(IdentityService).createUser({ email: "a@b.co" }), (e: unknown) => codeOf(e) === Code.Unavailable);
    assert.equal(calls["createUser"], 1);
    clients.close();
  });

  it("should re-send even a non-idempotent call when it provably never left (connection refused)", async () => {
    calls = {};
    const dead = await closedPortUrl();
    const answers = [dead, server.url];
    const clients = createClientFactory({ owners, registry: createRegistry([{ name: "flaky", resolve: async () => answers.shift() ?? server.url }]) });
    await clients.client(IdentityService).verifyPassword({ email: "a@b.co", password: "x" });
    assert.equal(calls["verifyPassword"], 1, "sent once, after the refused attempt");
    clients.close();
  });

  it("should turn a refused connection into unavailable naming the function and its address", async () => {
    const dead = await closedPortUrl();
    const clients = createClientFactory({ owners, registry: createRegistry([fixed({ identity: dead })]), retry: false });
    await assert.rejects(clients.client(IdentityService).getUser({ id: "x" }), (e: unknown) => {
      const err = ConnectError.from(e);
      assert.equal(err.code, Code.Unavailable);
      assert.match(err.rawMessage, new RegExp(`function "identity" at ${dead} is unavailable \\(ECONNREFUSED\\)`));
      return true;
    });
    clients.close();
  });
});

describe("circuit breaker", () => {
  it("should fail fast once the target keeps failing, and close again after a successful probe", async () => {
    const hole = await startBlackHole();
    const healthy = await startFakeServer((router) =>
      router.service(EchoService, {
        echo: (req) => ({ message: req.message }),
        async *echoServerStream() {},
        echoClientStream: async () => ({}),
        async *echoBidiStream() {},
      }),
    );
    let target = hole.url;
    const clients = createClientFactory({
      owners,
      registry: createRegistry([{ name: "switch", resolve: async () => target }]),
      retry: false,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 },
    });
    const echo = clients.client(EchoService);
    try {
      const timed = async () => {
        const started = performance.now();
        const err = await echo.echo({ message: "x" }, { timeoutMs: 400 }).then(() => undefined, ConnectError.from);
        return { err, ms: performance.now() - started };
      };
      const slow = [await timed(), await timed(), await timed()];
      for (const { err, ms } of slow) {
        assert.equal(err?.code, Code.DeadlineExceeded);
        assert.ok(ms >= 350, `a black hole costs the whole deadline (${ms} ms)`);
      }
      const fast = await timed();
      assert.equal(fast.err?.code, Code.Unavailable);
      assert.match(fast.err?.rawMessage ?? "", /circuit to function "echo" is open/);
      assert.ok(fast.ms < 100, `an open circuit fails at once (${fast.ms} ms)`);

      target = healthy.url; // the target recovers
      await new Promise((r) => setTimeout(r, 350));
      assert.equal((await echo.echo({ message: "probe" })).message, "probe");
      assert.equal((await echo.echo({ message: "closed" })).message, "closed");
    } finally {
      clients.close();
      await hole.close();
      await healthy.close();
    }
  });
});

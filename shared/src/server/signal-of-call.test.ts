import assert from "node:assert/strict";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { callOf, signalOfCall, transportOf, withSignalOf, type CallSignal } from "./signal-of-call.js";

type Pair = { req: http.IncomingMessage | http2.Http2ServerRequest; res: http.ServerResponse | http2.Http2ServerResponse };

/** A server handing each request to the test, and a way to send one (h1 or h2) and get its pair. */
function pairs(server: http.Server | http2.Http2Server) {
  const waiting: ((pair: Pair) => void)[] = [];
  server.on("request", (req: Pair["req"], res: Pair["res"]) => waiting.shift()?.({ req, res }));
  return () => new Promise<Pair>((resolve) => waiting.push(resolve));
}

const reasonOf = (signal: AbortSignal) => signal.reason as unknown;
const codeOf = (signal: AbortSignal) => (signal.reason instanceof ConnectError ? signal.reason.code : undefined);

describe("signalOfCall", () => {
  let h1: http.Server;
  let h2: http2.Http2Server;
  let nextH1: () => Promise<Pair>;
  let nextH2: () => Promise<Pair>;
  let h1Url: string;
  let h2Url: string;
  before(async () => {
    h1 = http.createServer();
    h2 = http2.createServer();
    nextH1 = pairs(h1);
    nextH2 = pairs(h2);
    await new Promise<void>((r) => h1.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => h2.listen(0, "127.0.0.1", r));
    h1Url = `http://127.0.0.1:${(h1.address() as AddressInfo).port}`;
    h2Url = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  });
  after(() => {
    h1.closeAllConnections();
    h1.close();
    h2.close();
  });

  async function h1Call(): Promise<Pair & { client: http.ClientRequest }> {
    const pair = nextH1();
    const client = http.request(h1Url, { method: "POST" });
    client.on("error", () => undefined);
    client.write("x");
    return { ...(await pair), client };
  }

  it("should abort with an AbortError when the call ends, read before or after", async () => {
    const { req, res, client } = await h1Call();
    const early = signalOfCall(transportOf(req, res), undefined, undefined);
    const signal = early.signal;
    early.abort();
    assert.equal(signal.aborted, true);
    assert.equal((reasonOf(signal) as DOMException).name, "AbortError");
    const late = signalOfCall(transportOf(req, res), undefined, undefined);
    late.abort();
    assert.equal(late.signal.aborted, true, "made after the end, it is aborted already");
    assert.equal((reasonOf(late.signal) as DOMException).name, "AbortError");
    client.destroy();
  });

  it("should keep the reason the call ended with", async () => {
    const { req, res, client } = await h1Call();
    const call = signalOfCall(transportOf(req, res), undefined, undefined);
    const failure = new ConnectError("failed", Code.NotFound);
    call.abort(failure);
    call.abort(); // a second end changes nothing
    assert.equal(reasonOf(call.signal), failure);
    client.destroy();
  });

  it("should abort on the deadline from the start, whether or not the signal was read", async () => {
    const { req, res, client } = await h1Call();
    const read = signalOfCall(transportOf(req, res), 30, undefined);
    const unread = signalOfCall(transportOf(req, res), 30, undefined);
    const signal = read.signal;
    assert.equal(signal.aborted, false);
    assert.ok((read.timeoutMs() ?? 0) > 0 && (read.timeoutMs() ?? 0) <= 30);
    await sleep(60);
    assert.equal(codeOf(signal), Code.DeadlineExceeded);
    assert.equal(codeOf(unread.signal), Code.DeadlineExceeded, "first read after the deadline: aborted with it");
    assert.equal(unread.timeoutMs()! < 0, true);
    client.destroy();
  });

  it("should not abort at once for a deadline that passes while the call runs, only when its timer fires", async () => {
    const { req, res, client } = await h1Call();
    const call = signalOfCall(transportOf(req, res), 1, undefined);
    const start = Date.now();
    while (Date.now() - start < 5); // the deadline passes without the event loop turning
    const signal = call.signal;
    assert.equal(signal.aborted, false, "as connect's timer, which has not fired yet");
    const aborted = new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    await aborted;
    assert.equal(codeOf(signal), Code.DeadlineExceeded);
    call.abort();
    client.destroy();
  });

  it("should abort at once for a deadline of zero", async () => {
    const { req, res, client } = await h1Call();
    assert.equal(codeOf(signalOfCall(transportOf(req, res), 0, undefined).signal), Code.DeadlineExceeded);
    client.destroy();
  });

  it("should abort with the shutdown's reason, when read before or after it", async () => {
    const { req, res, client } = await h1Call();
    const shutdown = new AbortController();
    const before = signalOfCall(transportOf(req, res), undefined, shutdown.signal);
    const signal = before.signal;
    const unread = signalOfCall(transportOf(req, res), undefined, shutdown.signal);
    const reason = new ConnectError("the server is shutting down", Code.Unavailable);
    shutdown.abort(reason);
    assert.equal(reasonOf(signal), reason);
    assert.equal(reasonOf(unread.signal), reason);
    client.destroy();
  });

  it("should abort when an HTTP/1.1 client leaves, read before or after it left", async () => {
    const { req, res, client } = await h1Call();
    const before = signalOfCall(transportOf(req, res), undefined, undefined);
    const signal = before.signal;
    const unread = signalOfCall(transportOf(req, res), undefined, undefined);
    client.destroy();
    await new Promise((resolve) => res.once("close", resolve));
    assert.equal(signal.aborted, true);
    assert.equal(codeOf(signal), Code.Aborted);
    assert.equal(codeOf(unread.signal), Code.Aborted);
  });

  it("should abort with the reset's code when an h2 client cancels, read before or after", async () => {
    const session = http2.connect(h2Url);
    try {
      const pair = nextH2();
      const stream = session.request({ ":method": "POST", ":path": "/" });
      stream.on("error", () => undefined);
      stream.write("x");
      const { req, res } = await pair;
      const before = signalOfCall(transportOf(req, res), undefined, undefined);
      const signal = before.signal;
      const unread = signalOfCall(transportOf(req, res), undefined, undefined);
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise((resolve) => req.once("close", resolve));
      assert.equal(codeOf(signal), Code.Canceled);
      assert.equal(codeOf(unread.signal), Code.Canceled);
    } finally {
      session.close();
    }
  });

  it("should stop watching once the call ended: no abort later, no listener left", async () => {
    const { req, res, client } = await h1Call();
    const listeners = res.listenerCount("close");
    const call = signalOfCall(transportOf(req, res), 20, undefined);
    const signal = call.signal;
    assert.equal(res.listenerCount("close"), listeners + 1);
    call.abort();
    assert.equal(res.listenerCount("close"), listeners);
    await sleep(40);
    assert.equal((reasonOf(signal) as DOMException).name, "AbortError", "the deadline's timer was cleared");
    client.destroy();
  });
});

describe("withSignalOf", () => {
  it("should read the call's signal only when asked, and keep it in copies", () => {
    let reads = 0;
    const signal = new AbortController().signal;
    const call: CallSignal = {
      get signal() {
        reads++;
        return signal;
      },
      timeoutMs: () => undefined,
      abort: () => undefined,
    };
    const target = withSignalOf({ message: "m", [callOf]: call }, "signal", "requestSignal");
    assert.equal(reads, 0);
    assert.deepEqual(Object.keys(target), ["message", "signal", "requestSignal"]);
    const copy = { ...target };
    assert.equal(copy.signal, signal);
    assert.equal(copy.requestSignal, signal);
    assert.equal(target.signal, signal);
  });
});

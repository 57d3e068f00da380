import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import { Code, ConnectError, appendHeaders } from "@connectrpc/connect";
import { universalRequestFromNodeRequest } from "@connectrpc/connect-node";
import { trailerMux } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { FastHeaders, requestHeadersOf, type NodeRequestHeaders } from "./fast-headers.js";
import { seededRandom } from "../testing/seeded-random.js";

/** connect-node's `nodeHeaderToWebHeader` (not exported by the package): the reference. */
function referenceOf(node: NodeRequestHeaders): Headers {
  const header = new Headers();
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith(":") || value === undefined) continue;
    if (typeof value === "string") header.append(key, value);
    else if (typeof value === "number") header.append(key, String(value));
    else for (const item of value) header.append(key, item);
  }
  return header;
}

type Outcome = { readonly value: unknown } | { readonly error: string };

/** What a call returned or threw, comparable across the two implementations. */
function outcomeOf(call: () => unknown): Outcome {
  try {
    return { value: call() };
  } catch (e) {
    return { error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : `non-error ${String(e)}` };
  }
}

const validNames = ["content-type", "Content-Type", "x-a", "X-A", "x-b", "set-cookie", "Set-Cookie", "SET-COOKIE", "cookie", "Cookie", "accept", "a", "zz", "constructor", "__proto__", "toString"];
const invalidNames = ["a b", "", ":path", "é", "x\u0100", "x\n", "x:y", "(x)", "x\t", "\u{1F600}"];
const strangeArgs = (): unknown[] => [42, null, undefined, Symbol("s"), { toString: () => "X-A" }, true];
const values = ["v", "V2", " padded\t", "\t", "", "  ", "a\u00e9b", "\u00ff", "\u0100", "x\0y", "x\ry", "x\ny", "trail\n", "\r\n lead", "a, b", "1", "\u{1F600}", "x\u000by", "\u0085x"];

/** A random request header object shaped as Node's parsers produce them. */
function nodeHeadersOf(next: () => number): NodeRequestHeaders {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const nodeValue = (): string => pick(["", " ", "\t"]) + pick(["v", "a, b", "x=1; y=2", "\u00e9t\u00e9", "1.0", "gzip, br", "x y"]) + pick(["", " ", "\t "]);
  const node: Record<string, string | string[] | number | undefined> = next() < 0.5 ? Object.create(null) : {};
  if (next() < 0.5) Object.assign(node, { ":method": "POST", ":path": "/a.B/C", ":authority": "localhost", ":scheme": "http" });
  const names = ["host", "content-type", "content-length", "user-agent", "accept-encoding", "traceparent", "connect-protocol-version", "cookie", "set-cookie", "x-dup", "constructor", "x-empty", "a"];
  const count = Math.floor(next() * 9);
  for (let i = 0; i < count; i++) {
    const roll = next();
    node[pick(names)] = roll < 0.55 ? nodeValue() : roll < 0.65 ? Math.floor(next() * 1000) : roll < 0.95 ? Array.from({ length: Math.floor(next() * 4) }, nodeValue) : undefined;
  }
  return node as NodeRequestHeaders;
}

interface Subject {
  readonly headers: Headers;
  iterator?: Iterator<unknown>;
}

type Operation = { readonly label: string; readonly run: (subject: Subject) => unknown };

/** A random operation on a Headers, observable through its result only. */
function operationOf(next: () => number): Operation {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const name = (): unknown => (next() < 0.75 ? pick(validNames) : next() < 0.8 ? pick(invalidNames) : pick(strangeArgs()));
  const value = (): unknown => (next() < 0.85 ? pick(values) : pick(strangeArgs()));
  const call = (method: "append" | "set" | "get" | "has" | "delete", args: unknown[]): Operation => {
    const count = next() < 0.05 ? Math.floor(next() * args.length) : args.length;
    const label = `${method}(${args.slice(0, count).map((a) => inspect(a)).join(", ")})`;
    return { label, run: ({ headers }) => Reflect.apply(headers[method], headers, args.slice(0, count)) };
  };
  const roll = next();
  if (roll < 0.2) return call("append", [name(), value()]);
  if (roll < 0.35) return call("set", [name(), value()]);
  if (roll < 0.5) return call("get", [name()]);
  if (roll < 0.58) return call("has", [name()]);
  if (roll < 0.68) return call("delete", [name()]);
  if (roll < 0.72) return { label: "getSetCookie()", run: ({ headers }) => headers.getSetCookie() };
  if (roll < 0.8) {
    const kind = pick(["keys", "values", "entries", "iterator"] as const);
    return {
      label: `start ${kind}`,
      run: (subject) => {
        const { headers } = subject;
        subject.iterator = kind === "iterator" ? headers[Symbol.iterator]() : headers[kind]();
        return Object.prototype.toString.call(subject.iterator);
      },
    };
  }
  if (roll < 0.9) return { label: "iterator.next()", run: (subject) => subject.iterator?.next() };
  const change = call(pick(["append", "set", "delete"] as const), [name(), value()]);
  const thisArg = pick([undefined, "marker", "omitted"] as const);
  return {
    label: `forEach, ${change.label} in the first callback, thisArg ${thisArg}`,
    run: (subject) => {
      const { headers } = subject;
      const seen: unknown[] = [];
      const marker = { marker: true };
      function callback(this: unknown, v: string, k: string, parent: Headers): void {
        seen.push([k, v, this === globalThis ? "global" : this === marker ? "marker" : typeof this, parent === headers]);
        if (seen.length === 1) seen.push(outcomeOf(() => change.run(subject)));
      }
      if (thisArg === "omitted") headers.forEach(callback);
      else headers.forEach(callback, thisArg === "marker" ? marker : undefined);
      return seen;
    },
  };
}

/** Everything a reader can see of a Headers. */
function stateOf(headers: Headers): unknown {
  return {
    entries: [...headers],
    keys: [...headers.keys()],
    values: [...headers.values()],
    setCookies: headers.getSetCookie(),
    gets: validNames.map((n) => [headers.get(n), headers.has(n)]),
    copied: [...new Headers(headers)],
    record: Object.fromEntries(headers),
  };
}

function snapshotOf(node: NodeRequestHeaders): unknown {
  return { prototype: Object.getPrototypeOf(node), entries: Object.entries(node).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]) };
}

describe("FastHeaders", () => {
  it("should give the global Headers' results for random operations on request headers", () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const next = seededRandom(seed);
      const node = nodeHeadersOf(next);
      const before = snapshotOf(node);
      const reference: Subject = { headers: referenceOf(node) };
      const fast: Subject = { headers: requestHeadersOf(node) };
      const trace: string[] = [`seed ${seed}, node ${inspect(node)}`];
      for (let step = 0; step < 20; step++) {
        const operation = operationOf(next);
        trace.push(operation.label);
        assert.deepEqual(outcomeOf(() => operation.run(fast)), outcomeOf(() => operation.run(reference)), trace.join("\n"));
        if (step % 5 === 4) assert.deepEqual(stateOf(fast.headers), stateOf(reference.headers), trace.join("\n"));
      }
      assert.deepEqual(stateOf(fast.headers), stateOf(reference.headers), trace.join("\n"));
      assert.deepEqual(snapshotOf(node), before, trace.join("\n"));
    }
  });

  it("should give the global Headers' results for random operations on constructed headers", () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const next = seededRandom(seed * 7919);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      const pairs = Array.from({ length: Math.floor(next() * 5) }, () => [next() < 0.9 ? pick(validNames) : pick(invalidNames), next() < 0.9 ? pick(["v", " w ", "a=1", ""]) : pick(values)]);
      const valid = () => pairs.filter(([n, v]) => /^[a-z-]+$/i.test(n!) && !/[\0\r\n\u0100-\uffff]/.test(v!)) as [string, string][];
      const roll = next();
      const init =
        roll < 0.15 ? undefined
        : roll < 0.4 ? Object.fromEntries(pairs)
        : roll < 0.65 ? pairs
        : roll < 0.75 ? new Headers(valid())
        : roll < 0.85 ? new FastHeaders(valid())
        : requestHeadersOf(nodeHeadersOf(next));
      const trace: string[] = [`seed ${seed}, init ${inspect(init)}`];
      const built = outcomeOf(() => new FastHeaders(init as Record<string, string>));
      const expected = outcomeOf(() => new Headers(init as Record<string, string>));
      assert.equal("error" in built && built.error, "error" in expected && expected.error, trace.join("\n"));
      if (!("value" in built) || !("value" in expected)) continue;
      const reference: Subject = { headers: expected.value as Headers };
      const fast: Subject = { headers: built.value as Headers };
      assert.deepEqual(stateOf(fast.headers), stateOf(reference.headers), trace.join("\n"));
      for (let step = 0; step < 20; step++) {
        const operation = operationOf(next);
        trace.push(operation.label);
        assert.deepEqual(outcomeOf(() => operation.run(fast)), outcomeOf(() => operation.run(reference)), trace.join("\n"));
      }
      assert.deepEqual(stateOf(fast.headers), stateOf(reference.headers), trace.join("\n"));
    }
  });

  it("should reject the inits the global rejects, with the same error", () => {
    const symbolKeyed = { a: "1", [Symbol("k")]: "2" };
    const hidden = Object.defineProperty({ a: "1" }, "b", { value: "2", enumerable: false });
    for (const init of [null, "a", 1, [["a"]], [["a", "b", "c"]], [1], [["a b", "c"]], [["a", "\u0100"]], { "a b": "c" }, { a: "x\0" }, symbolKeyed, hidden, new Map([["A", " b "]]), [new Set(["k", "v"])], new Proxy(hidden, {}), new Proxy({ b: "2", a: "1" }, {})]) {
      const fast = outcomeOf(() => [...new FastHeaders(init as Record<string, string>)]);
      const reference = outcomeOf(() => [...new Headers(init as Record<string, string>)]);
      assert.deepEqual(fast, reference, inspect(init));
    }
  });

  it("should leave Node's object unchanged when the request headers change", () => {
    const cookies = ["a=1", "b=2"];
    const node: http.IncomingHttpHeaders = { "content-type": "application/json", "set-cookie": cookies, "x-a": "1" };
    const headers = requestHeadersOf(node);
    headers.append("x-a", "2");
    headers.set("content-type", "application/proto");
    headers.delete("set-cookie");
    headers.append("set-cookie", "c=3");
    assert.deepEqual(node, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-a": "1" });
    assert.equal(node["set-cookie"], cookies);
    assert.deepEqual([...headers], [["content-type", "application/proto"], ["set-cookie", "c=3"], ["x-a", "1, 2"]]);
  });

  it("should read Node's object in place until the first change or enumeration", () => {
    const node: http.IncomingHttpHeaders = { ":path": "/", "x-a": " 1 " };
    const headers = requestHeadersOf(node);
    assert.equal(headers.get("X-A"), "1");
    node["x-b"] = "2";
    assert.equal(headers.get("x-b"), "2");
    headers.delete("x-none"); // absent: nothing to copy
    node["x-c"] = "3";
    assert.equal(headers.has("x-c"), true);
    headers.set("x-d", "4");
    node["x-e"] = "5";
    assert.equal(headers.has("x-e"), false);
    assert.deepEqual([...headers], [["x-a", "1"], ["x-b", "2"], ["x-c", "3"], ["x-d", "4"]]);
    assert.throws(() => headers.get(":path"), TypeError);
  });

  it("should pass as a Headers to undici and to connect's helpers", () => {
    const fast = new FastHeaders({ "Content-Type": "application/json" });
    fast.append("set-cookie", "a=1");
    fast.append("Set-Cookie", "b=2");
    const reference = new Headers({ "Content-Type": "application/json" });
    reference.append("set-cookie", "a=1");
    reference.append("Set-Cookie", "b=2");
    const trailer = new FastHeaders({ "grpc-status": "0" });
    const referenceTrailer = new Headers({ "grpc-status": "0" });

    assert.ok(fast instanceof Headers);
    assert.equal(Object.prototype.toString.call(fast), "[object Headers]");
    assert.equal(Object.prototype.toString.call(fast.keys()), "[object Headers Iterator]");
    assert.deepEqual(Object.keys(fast), Object.keys(reference));
    assert.deepEqual(forInKeysOf(fast), forInKeysOf(reference));
    assert.equal(JSON.stringify(fast), JSON.stringify(reference));
    assert.equal(inspect(new FastHeaders([["x-a", "1"]])), inspect(new Headers([["x-a", "1"]])));
    assert.deepEqual([...new Headers(fast)], [...new Headers(reference)]);
    assert.deepEqual(new Headers(fast).getSetCookie(), ["a=1", "b=2"]);
    assert.deepEqual([...new FastHeaders(reference)], [...reference]);
    assert.deepEqual(Object.fromEntries(fast), Object.fromEntries(reference));
    assert.deepEqual([...trailerMux(fast, trailer)], [...trailerMux(reference, referenceTrailer)]);
    assert.deepEqual([...appendHeaders(fast, trailer)], [...appendHeaders(reference, referenceTrailer)]);
    assert.deepEqual([...new Response(null, { headers: fast }).headers], [...reference]);
    assert.deepEqual([...new Request("http://localhost/", { headers: fast }).headers], [...reference]);
    assert.deepEqual([...new ConnectError("x", Code.Internal, fast).metadata], [...reference]);

    const error = new ConnectError("bad: input", Code.InvalidArgument, { "x-why": "because" });
    setTrailerStatus(trailer, error);
    setTrailerStatus(referenceTrailer, error);
    assert.deepEqual([...trailer], [...referenceTrailer]);
    assert.throws(() => Headers.prototype.get.call(fast, "a"), TypeError);
  });

  for (const version of ["HTTP/1.1", "HTTP/2"] as const) {
    it(`should equal connect-node's request header for a real ${version} request`, async () => {
      const seen: Array<{ fast: unknown; reference: unknown }> = [];
      const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void => {
        const reference = universalRequestFromNodeRequest(req, res as http.ServerResponse, undefined, undefined).header;
        seen.push({ fast: stateOf(requestHeadersOf(req.headers)), reference: stateOf(reference) });
        res.end();
      };
      const server = version === "HTTP/2" ? http2.createServer(handler) : http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const headers = { "content-type": "application/json", "x-dup": ["a", " b"], cookie: ["a=1", "b=2"], "set-cookie": ["c=3", "d=4"], "user-agent": " kinetic\t", accept: "\u00e9" };
      try {
        if (version === "HTTP/2") await h2Request(port, headers);
        else await h1Request(port, headers);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0]!.fast, seen[0]!.reference);
    });
  }
});

function forInKeysOf(object: object): string[] {
  const keys: string[] = [];
  for (const key in object) keys.push(key);
  return keys;
}

function h1Request(port: number, headers: http.OutgoingHttpHeaders): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", method: "POST", headers }, (res) => res.resume().on("end", resolve));
    req.on("error", reject).end();
  });
}

function h2Request(port: number, headers: http2.OutgoingHttpHeaders): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": "/", ...headers });
    stream.on("error", reject);
    stream.resume().on("end", () => session.close(() => resolve()));
    stream.end();
  });
}

describe("FastHeaders and the global Headers in a fresh process", () => {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const inFreshProcess = async (script: string) => {
    const args = ["--conditions=kinetic-source", "--import", "tsx", "--input-type=module", "-e", script];
    return JSON.parse((await promisify(execFile)(process.execPath, args, { cwd: root, env })).stdout) as Record<string, unknown>;
  };

  it("should not load undici until the global Headers is read, and be an instance of it from then on", async () => {
    const seen = await inFreshProcess(`
      const undici = () => process.moduleLoadList.some((m) => m.includes("undici"));
      const { FastHeaders, requestHeadersOf } = await import("./shared/src/server/fast-headers.ts");
      const early = new FastHeaders({ "x-a": "1" });
      early.append("x-b", "2");
      const view = requestHeadersOf({ host: "h", "x-c": "3" });
      const seen = { afterUse: undici(), values: [early.get("x-b"), view.get("x-c"), [...early].length] };
      const Global = globalThis.Headers;
      seen.afterRead = undici();
      seen.instances = [early instanceof Global, view instanceof Global, new FastHeaders() instanceof Global];
      seen.sameGlobal = Global === globalThis.Headers && Object.getPrototypeOf(FastHeaders.prototype) === Global.prototype;
      process.stdout.write(JSON.stringify(seen));
    `);
    assert.deepEqual(seen, { afterUse: false, values: ["2", "3", 2], afterRead: true, instances: [true, true, true], sameGlobal: true });
  });

  it("should take a global Headers assigned before it was ever read", async () => {
    const seen = await inFreshProcess(`
      const { FastHeaders } = await import("./shared/src/server/fast-headers.ts");
      class Replacement {}
      globalThis.Headers = Replacement;
      process.stdout.write(JSON.stringify({ instance: new FastHeaders() instanceof Replacement, global: globalThis.Headers === Replacement, undici: process.moduleLoadList.some((m) => m.includes("undici")) }));
    `);
    assert.deepEqual(seen, { instance: true, global: true, undici: false });
  });
});

import * as http from "node:http";
import * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { EchoResponseSchema, EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { defineFunction, implement } from "../function/define-function.js";
import { inboundCall, trackInboundCalls } from "../client/inbound-call.js";
import { requestRecordKey } from "./request-record.js";
import { echoStreams } from "../testing/echo-function.js";
import { startFunction, type StartedFunction } from "../testing/start-function.js";

/**
 * Test-only: the fixture of the fast path's differential and fuzz tests. `EchoService` with
 * behaviours chosen by the request's message, so that one method exercises what a handler
 * can do: answer, fail with a code, with details and metadata, throw a plain error, set
 * headers and trailers, and report what it sees of its context.
 */
export const differentialFunction = defineFunction({
  name: "differential",
  description: "the fast path's differential tests",
  services: [EchoService],
  setup: () => {
    // Its "context" answer reads inboundCall(), from the first call on, on either path.
    trackInboundCalls();
    return {
      services: [
        implement(EchoService, {
          async echo(req, ctx) {
            // Bounded, so that no fuzzed request waits for long.
            const delay = req.delayMs % 50;
            if (delay > 0) {
              await new Promise<void>((resolve, reject) => {
                const timer = setTimeout(resolve, delay);
                ctx.signal.addEventListener("abort", () => (clearTimeout(timer), reject(ctx.signal.reason)), { once: true });
              });
            }
            if (req.failWithCode > 0) throw new ConnectError(req.message, req.failWithCode as Code);
            switch (req.message) {
              case "details":
                throw new ConnectError("failed with details", Code.FailedPrecondition, { "x-error-meta": "on the error", "x-bin-bin": "AAEC" }, [
                  { desc: EchoResponseSchema, value: { message: "a detail, ünïcode ✓" } },
                ]);
              case "plain error":
                throw new Error("a bug");
              case "metadata":
                ctx.responseHeader.set("x-header", "h");
                ctx.responseHeader.append("set-cookie", "a=1");
                ctx.responseHeader.append("set-cookie", "b=2");
                ctx.responseTrailer.set("x-trailer", "t");
                ctx.responseTrailer.set("x-trailer-bin", "AAEC");
                ctx.responseTrailer.append("set-cookie", "c=3");
                ctx.responseTrailer.append("set-cookie", "d=4");
                return { message: "metadata" };
              case "which path":
                // The one field where the paths differ on purpose (connect-unary-fast-path.ts).
                return { message: (ctx as unknown as { requestSignal: unknown }).requestSignal === ctx.signal ? "fast path" : "connect-node" };
              case "context": {
                const call = inboundCall();
                return {
                  message: JSON.stringify({
                    keys: Object.keys(ctx).sort(),
                    requestMethod: ctx.requestMethod,
                    protocolName: ctx.protocolName,
                    url: ctx.url.replace(/:\d+\//, ":port/"), // the two servers' ports differ
                    service: ctx.service.typeName,
                    method: ctx.method.name,
                    hasTimeout: ctx.timeoutMs() !== undefined,
                    timeoutAtMost: (ctx.timeoutMs() ?? 0) <= 60_000,
                    aborted: ctx.signal.aborted,
                    header: ctx.requestHeader.get("x-echo-header"),
                    record: ctx.values.get(requestRecordKey)?.procedure,
                    caller: call?.caller,
                    deadline: call?.deadline !== undefined,
                  }),
                };
              }
            }
            ctx.responseHeader.set("x-echo-header", ctx.requestHeader.get("x-echo-header") ?? "");
            ctx.responseTrailer.set("x-echo-trailer", "done");
            return { message: req.message };
          },
          async *echoServerStream(req) {
            for (let index = 0; index < req.repeat; index++) yield { message: req.message, index };
          },
          ...echoStreams,
        }),
      ],
    };
  },
});

/** Test-only: the same function served twice, with and without the fast path. */
export async function startBothPaths(env: Record<string, string> = {}): Promise<{ fast: StartedFunction; plain: StartedFunction; close(): Promise<void> }> {
  const [fast, plain] = await Promise.all([
    startFunction(differentialFunction, { ...env, KINETIC_FAST_PATH: "on" }),
    startFunction(differentialFunction, { ...env, KINETIC_FAST_PATH: "off" }),
  ]);
  return {
    fast,
    plain,
    close: async () => {
      await Promise.all([fast.close(), plain.close()]);
    },
  };
}

/** One raw request: what a client would send, byte for byte. */
export interface RawRequest {
  method?: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** What came back, with the headers that vary per server or per moment removed. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** True when the server closed the connection or reset the stream instead of answering. */
  reset: boolean;
}

const unstable = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);

function stableHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || key.startsWith(":") || unstable.has(key)) continue;
    out[key] = value;
  }
  return out;
}

/** Test-only: sends `request` over HTTP/1.1 on a fresh connection; an answer within `timeoutMs`, or a rejection. */
export function sendH1(url: string, request: RawRequest, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${request.path}`, { method: request.method ?? "POST", headers: request.headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${request.path}`));
    }, timeoutMs);
    req.on("error", () => {
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, body: "", reset: true });
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => undefined);
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: stableHeaders(res.headers), body: Buffer.concat(chunks).toString("base64"), reset: false });
      });
    });
    req.end(request.body);
  });
}

/** What came back to a gRPC call: a raw answer and the trailers that ended it. */
export interface RawGrpcAnswer extends RawAnswer {
  trailers: Record<string, string | string[]>;
}

/** Test-only: sends `request` on a stream of `session` (h2c); an answer within `timeoutMs`, or a rejection. */
export async function sendH2(session: http2.ClientHttp2Session, request: RawRequest, timeoutMs = 10_000): Promise<RawAnswer> {
  const { trailers: _trailers, ...answer } = await sendGrpc(session, request, timeoutMs);
  return answer;
}

/** Test-only: `sendH2`, keeping the trailers too (gRPC answers end with them). */
export function sendGrpc(session: http2.ClientHttp2Session, request: RawRequest, timeoutMs = 10_000): Promise<RawGrpcAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": request.method ?? "POST", ":path": request.path, ...request.headers });
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`no answer within ${timeoutMs} ms to ${request.path}`));
    }, timeoutMs);
    let status = 0;
    let headers: Record<string, string | string[]> = {};
    let trailers: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      headers = stableHeaders(h as http.IncomingHttpHeaders);
    });
    stream.on("trailers", (t) => {
      trailers = stableHeaders(t as http.IncomingHttpHeaders);
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      clearTimeout(timer);
      const reset = status === 0 || stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR;
      resolve({ status, headers, trailers, body: Buffer.concat(chunks).toString("base64"), reset });
    });
    stream.end(request.body);
  });
}

/** Test-only: `data` in a gRPC envelope (5 bytes: `flags`, then the big-endian length). */
export function grpcFrame(data: Uint8Array, flags = 0, length = data.byteLength): Uint8Array {
  const frame = new Uint8Array(5 + data.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, flags);
  view.setUint32(1, length);
  frame.set(data, 5);
  return frame;
}

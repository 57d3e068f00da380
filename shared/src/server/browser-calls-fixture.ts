import { Code, ConnectError, createClient, type CallOptions, type Transport } from "@connectrpc/connect";
import { EchoResponseSchema, EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";

/**
 * Test-only: the calls of the browser protocol matrix, run in Chromium over connect-web and in
 * Node over connect-node against `differentialFunction` (fast-path-fixture.ts). This module is
 * bundled into the page, so it imports nothing of Node: each call takes a transport and returns
 * plain data, which crosses from the page to Node as JSON.
 */

/** How a client reaches the server; the connect-web and connect-node transports are built from it. */
export interface TransportSpec {
  readonly protocol: "connect" | "grpc-web";
  readonly useBinaryFormat: boolean;
  /** Connect GET for side-effect-free unary methods (`Echo` is one). */
  readonly useHttpGet: boolean;
}

/** Test-only: every transport the page runs the calls over. */
export const browserTransports = {
  "Connect JSON": { protocol: "connect", useBinaryFormat: false, useHttpGet: false },
  "Connect binary": { protocol: "connect", useBinaryFormat: true, useHttpGet: false },
  "Connect JSON GET": { protocol: "connect", useBinaryFormat: false, useHttpGet: true },
  "gRPC-Web binary": { protocol: "grpc-web", useBinaryFormat: true, useHttpGet: false },
  "gRPC-Web JSON": { protocol: "grpc-web", useBinaryFormat: false, useHttpGet: false },
} as const satisfies Record<string, TransportSpec>;

export type TransportName = keyof typeof browserTransports;

/** A failed call, as plain data. */
export interface ErrorOutcome {
  readonly code: string;
  readonly message?: string;
  /** `EchoResponse` details, by their message. */
  readonly details?: readonly string[];
  readonly metadata?: Record<string, string>;
}

/** What a call gave: its value with the application's (`x-`) headers and trailers, or its error. */
export interface CallOutcome {
  readonly value?: unknown;
  readonly header?: Record<string, string>;
  readonly trailer?: Record<string, string>;
  readonly error?: ErrorOutcome;
}

/** One call, and the outcome every client must get from it. */
export interface BrowserCall {
  run(transport: Transport): Promise<CallOutcome>;
  expected(spec: TransportSpec, fastPath: boolean): CallOutcome;
}

/** The application's metadata only: protocol and transport headers differ between a browser and Node by design. */
function appMetadata(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, key) => {
    if (key.startsWith("x-")) out[key] = value;
  });
  return out;
}

function errorOutcome(err: unknown): ErrorOutcome {
  const e = ConnectError.from(err);
  return { code: Code[e.code], message: e.rawMessage, details: e.findDetails(EchoResponseSchema).map((d) => d.message), metadata: appMetadata(e.metadata) };
}

async function outcomeOf(run: (options: CallOptions) => Promise<unknown>): Promise<CallOutcome> {
  let header: Headers | undefined;
  let trailer: Headers | undefined;
  try {
    const value = await run({ onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) });
    return { value, header: appMetadata(header), trailer: appMetadata(trailer) };
  } catch (err) {
    return { error: errorOutcome(err) };
  }
}

const unicode = "héllo wörld ✓ 𝄞 日本語 👩‍💻 مرحبا \u0000 end";
const unicodeError = "nicht gefunden: ✓ 𝄞 日本語 100% \r\n";
// Over 1 MiB once encoded, multi-byte characters included.
const large = "0123456789abcdefghijklmnopqrstuvwxyzé✓".repeat(Math.ceil(2 ** 20 / 41));
const echoHeaders = (value: string) => ({ "x-echo-header": value });
const done = { "x-echo-trailer": "done" };
const codes = Array.from({ length: 16 }, (_, i) => i + 1);

/** Test-only: the calls, each named so that `should <name>` reads as a test. */
export const browserCalls = {
  "echo a unary call with a request header, a response header and a trailer": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: "héllo ✓" }, { ...o, headers: echoHeaders("from the client") }).then((r) => r.message)),
    expected: () => ({ value: "héllo ✓", header: echoHeaders("from the client"), trailer: done }),
  },
  "carry several response headers and trailers": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: "metadata" }, o).then((r) => r.message)),
    expected: () => ({ value: "metadata", header: { "x-header": "h" }, trailer: { "x-trailer": "t", "x-trailer-bin": "AAEC" } }),
  },
  "echo unicode": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: unicode }, o).then((r) => r.message)),
    expected: () => ({ value: unicode, header: echoHeaders(""), trailer: done }),
  },
  "answer an empty message": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({}, o).then((r) => r.message)),
    expected: () => ({ value: "", header: echoHeaders(""), trailer: done }),
  },
  "echo a 1 MiB message (a GET that long is refused: its URL is over Node's header limit)": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: large }, o).then((r) => ({ length: r.message.length, same: r.message === large }))),
    expected: (spec) =>
      spec.useHttpGet
        ? { error: { code: "Unknown", message: "HTTP 431", details: [], metadata: {} } }
        : { value: { length: large.length, same: true }, header: echoHeaders(""), trailer: done },
  },
  "carry an error's code and unicode message": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: unicodeError, failWithCode: Code.NotFound }, o)),
    expected: () => ({ error: { code: "NotFound", message: unicodeError, details: [], metadata: {} } }),
  },
  "carry an error's details and metadata": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: "details" }, o)),
    expected: () => ({
      error: { code: "FailedPrecondition", message: "failed with details", details: ["a detail, ünïcode ✓"], metadata: { "x-error-meta": "on the error", "x-bin-bin": "AAEC" } },
    }),
  },
  "carry every error code": {
    run: async (t) => {
      const client = createClient(EchoService, t);
      const errors: ErrorOutcome[] = [];
      for (const code of codes) {
        errors.push(await client.echo({ message: `code ${code}`, failWithCode: code }).then(() => ({ code: "OK" }), errorOutcome));
      }
      return { value: errors.map((e) => `${e.code}: ${e.message}`) };
    },
    expected: () => ({ value: codes.map((code) => `${Code[code]}: code ${code}`) }),
  },
  "end a call whose deadline expires with deadline_exceeded": {
    // The client's timer and the server's race; either way the code is the same, the message not.
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: "late", delayMs: 49 }, { ...o, timeoutMs: 10 })).then((r) => ({ error: { code: r.error?.code ?? "OK" } })),
    expected: () => ({ error: { code: "DeadlineExceeded" } }),
  },
  "stream server messages in order": {
    run: (t) =>
      outcomeOf(async (o) => {
        const received: string[] = [];
        for await (const r of createClient(EchoService, t).echoServerStream({ message: "s ✓", repeat: 5 }, o)) received.push(`${r.index} ${r.message}`);
        return received;
      }),
    expected: () => ({ value: ["0 s ✓", "1 s ✓", "2 s ✓", "3 s ✓", "4 s ✓"], header: {}, trailer: {} }),
  },
  "end a server stream breaking a proto rule with invalid_argument": {
    run: (t) =>
      outcomeOf(async (o) => {
        for await (const _ of createClient(EchoService, t).echoServerStream({ message: "s", repeat: 20_000 }, o));
      }),
    expected: () => ({
      error: {
        code: "InvalidArgument",
        message: "invalid EchoServerStreamRequest: repeat: must be greater than or equal to 0 and less than or equal to 10000 [int32.gte_lte]",
        details: [],
        metadata: {},
      },
    }),
  },
  "show the handler the same context": {
    run: (t) =>
      outcomeOf((o) => createClient(EchoService, t).echo({ message: "context" }, { ...o, headers: echoHeaders("seen"), timeoutMs: 5000 }).then((r) => JSON.parse(r.message) as unknown)),
    expected: (spec) => ({
      value: {
        // connect's handler context, internal fields included.
        keys: ["abort", "contextValues", "impl", "kind", "method", "protocolName", "requestHeader", "requestMethod", "requestSignal", "responseHeader", "responseTrailer", "service", "shutdownSignal", "signal", "timeoutMs", "url", "values"],
        requestMethod: spec.useHttpGet ? "GET" : "POST",
        protocolName: spec.protocol,
        url: `http://127.0.0.1:port/kinetic.echo.v1.EchoService/Echo${spec.useHttpGet ? `?connect=v1&encoding=json&message=${encodeURIComponent('{"message":"context"}')}` : ""}`,
        service: "kinetic.echo.v1.EchoService",
        method: "Echo",
        hasTimeout: true,
        timeoutAtMost: true,
        aborted: false,
        header: "seen",
        record: "kinetic.echo.v1.EchoService/Echo",
        deadline: true,
      },
      header: {},
      trailer: {},
    }),
  },
  "be served by the fast path exactly when it is on and the call is a Connect unary POST": {
    run: (t) => outcomeOf((o) => createClient(EchoService, t).echo({ message: "which path" }, o).then((r) => r.message)),
    expected: (spec, fastPath) => ({ value: fastPath && spec.protocol === "connect" && !spec.useHttpGet ? "fast path" : "connect-node", header: {}, trailer: {} }),
  },
} satisfies Record<string, BrowserCall>;

export type CallName = keyof typeof browserCalls;

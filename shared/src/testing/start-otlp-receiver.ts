import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A span as an OTLP/JSON export carried it, flattened for assertions. */
export interface ReceivedSpan {
  /** `service.name` of the resource that sent it. */
  readonly service: string;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: "internal" | "server" | "client" | "producer" | "consumer" | "unspecified";
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly status: "unset" | "ok" | "error";
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** An in-process OpenTelemetry collector stand-in. Test-only. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: the OTEL_EXPORTER_OTLP_ENDPOINT to use. */
  readonly url: string;
  /** Spans of every `http/json` export so far. */
  readonly spans: readonly ReceivedSpan[];
  /** Path and content type of every export request, whatever its encoding. */
  readonly requests: readonly { path: string; contentType: string }[];
  /** Resolves with the spans matching `predicate` once there are at least `count`; fails after 5 s. */
  waitForSpans(predicate: (span: ReceivedSpan) => boolean, count?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const kinds = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
const statuses = ["unset", "ok", "error"] as const;

/**
 * Starts an OTLP/HTTP receiver on a free port: POST /v1/traces answered 200, JSON bodies
 * decoded into `spans`. Test-only (it belongs with the other helpers in `testing/`).
 *
 * @example
 * const receiver = await startOtlpReceiver();
 * const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" };
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: { path: string; contentType: string }[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const contentType = req.headers["content-type"] ?? "";
    requests.push({ path: req.url ?? "", contentType });
    if (req.method === "POST" && req.url === "/v1/traces" && contentType.startsWith("application/json")) {
      spans.push(...spansOf(JSON.parse(body.toString("utf8"))));
    }
    res.writeHead(200, { "content-type": contentType || "application/json" }).end(contentType.startsWith("application/json") ? "{}" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    async waitForSpans(predicate, count = 1) {
      for (let waited = 0; waited < 5000; waited += 20) {
        const found = spans.filter(predicate);
        if (found.length >= count) return found;
        await sleep(20);
      }
      throw new Error(`${spans.filter(predicate).length} matching spans after 5 s, expected ${count}`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
type OtlpAttributes = { key: string; value: OtlpValue }[] | undefined;

function attributesOf(list: OtlpAttributes): Record<string, unknown> {
  const values = (list ?? []).map(({ key, value }) => [key, value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue)]);
  return Object.fromEntries(values);
}

function spansOf(request: {
  resourceSpans?: { resource?: { attributes?: OtlpAttributes }; scopeSpans?: { spans?: Record<string, never>[] }[] }[];
}): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) => {
    const resourceAttributes = attributesOf(resource?.attributes);
    return (scopeSpans ?? []).flatMap(({ spans = [] }) =>
      spans.map((span: Record<string, unknown>): ReceivedSpan => ({
        service: String(resourceAttributes["service.name"]),
        resource: resourceAttributes,
        traceId: String(span["traceId"]),
        spanId: String(span["spanId"]),
        parentSpanId: span["parentSpanId"] ? String(span["parentSpanId"]) : undefined,
        name: String(span["name"]),
        kind: kinds[Number(span["kind"] ?? 0)] ?? "unspecified",
        attributes: attributesOf(span["attributes"] as OtlpAttributes),
        status: statuses[Number((span["status"] as { code?: number } | undefined)?.code ?? 0)] ?? "unset",
        startNs: BigInt(String(span["startTimeUnixNano"])),
        endNs: BigInt(String(span["endTimeUnixNano"])),
      })),
    );
  });
}

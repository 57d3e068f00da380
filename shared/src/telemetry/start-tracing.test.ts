import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { echoFunction } from "../testing/echo-function.js";
import { startFunction } from "../testing/start-function.js";
import { startOtlpReceiver, type OtlpReceiver } from "../testing/start-otlp-receiver.js";

const sdkLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("/@opentelemetry/sdk-node/"));

/** Sends one Connect JSON Echo over HTTP/1.1 as part of trace `traceId`; resolves the answer's status. */
async function echoIn(url: string, traceId: string): Promise<number> {
  const response = await fetch(`${url}/kinetic.echo.v1.EchoService/Echo`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    body: JSON.stringify({ message: "first" }),
  });
  await response.arrayBuffer();
  return response.status;
}

// One file, one process: the SDK is not loaded by anything else before these tests.
describe("tracing from a function's first request on", () => {
  let receiver: OtlpReceiver;
  before(async () => (receiver = await startOtlpReceiver()));
  after(() => receiver.close());
  const env = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", LOG_LEVEL: "warn" });

  it("should shut down without loading the SDK when no span was recorded", async () => {
    const fn = await startFunction(echoFunction, env());
    await fn.close();
    assert.equal(sdkLoaded(), false);
  });

  it("should export the very first request's server span, recorded before the SDK was loaded, with the resource of later spans", async () => {
    process.env["OTEL_BSP_SCHEDULE_DELAY"] = "50"; // read from process.env by the batch processor, at start
    const fn = await startFunction(echoFunction, env());
    try {
      const first = randomBytes(16).toString("hex");
      assert.equal(await echoIn(fn.url, first), 200);
      assert.equal(sdkLoaded(), false, "the first answer came before the SDK was imported");
      const [server] = await receiver.waitForSpans((s) => s.traceId === first && s.kind === "server");
      assert.equal(server?.name, "kinetic.echo.v1.EchoService/Echo");
      assert.equal(server?.service, "echo");
      assert.ok(sdkLoaded(), "the SDK was imported once the first span had ended");

      const later = randomBytes(16).toString("hex");
      assert.equal(await echoIn(fn.url, later), 200);
      const [next] = await receiver.waitForSpans((s) => s.traceId === later && s.kind === "server");
      assert.deepEqual(next?.resource, server?.resource);
      assert.equal(server?.resource["process.pid"], process.pid);
    } finally {
      await fn.close();
    }
  });

  it("should export at shutdown the spans still waiting for their batch", async () => {
    process.env["OTEL_BSP_SCHEDULE_DELAY"] = "60000";
    const fn = await startFunction(echoFunction, env());
    const traceId = randomBytes(16).toString("hex");
    try {
      assert.equal(await echoIn(fn.url, traceId), 200);
    } finally {
      await fn.close();
    }
    assert.equal(receiver.spans.filter((s) => s.traceId === traceId && s.kind === "server").length, 1);
  });
});

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { createOnePortServer, type OnePortServer } from "./one-port-server.js";

/** Status and body of one h2 request on `session`. */
function request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let body = "";
    stream.on("response", (h) => (status = Number(h[":status"])));
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => (body += chunk));
    stream.on("end", () => resolve({ status, body }));
    stream.on("error", reject);
    stream.end();
  });
}

describe("createOnePortServer with a stream handler", () => {
  let server: OnePortServer;
  let url: string;
  let release: (() => void) | undefined;
  let closedWith: ((error: unknown) => void) | undefined;
  before(async () => {
    server = createOnePortServer({
      handler: (req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`compat ${req.method} ${req.url}`),
      streamHandler: (stream, headers) => {
        if (headers[":path"] === "/raw") {
          stream.respond({ ":status": 200 });
          stream.end("raw");
          return true;
        }
        if (headers[":path"] === "/held") {
          // Answered only when the test says so: in flight until then.
          release = () => {
            stream.respond({ ":status": 200 });
            stream.end("held");
          };
          return true;
        }
        if (headers[":path"] === "/watched") {
          // Never answered: the client resets it, and the test hears how it closed.
          stream.on("close", () => closedWith?.(stream.errored));
          return true;
        }
        return false;
      },
    });
    url = `http://127.0.0.1:${(await server.listen(0, "127.0.0.1")).port}`;
  });
  after(() => server.drain(1000));

  it("should answer the streams it takes on the stream, and leave the rest to the handler", async () => {
    const session = http2.connect(url);
    try {
      assert.deepEqual(await request(session, { ":path": "/raw" }), { status: 200, body: "raw" });
      assert.deepEqual(await request(session, { ":method": "POST", ":path": "/other" }), { status: 200, body: "compat POST /other" });
    } finally {
      session.close();
    }
  });

  it("should count a taken stream in flight until it closes", async () => {
    const session = http2.connect(url);
    try {
      const answer = request(session, { ":path": "/held" });
      while (release === undefined) await new Promise((r) => setTimeout(r, 5));
      assert.equal(server.inFlight, 1);
      release();
      assert.deepEqual(await answer, { status: 200, body: "held" });
      while (server.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
      assert.equal(server.inFlight, 0);
    } finally {
      session.close();
    }
  });

  it("should refuse what node's compatibility server refuses: CONNECT with 405, an unknown expectation with 417", async () => {
    const session = http2.connect(url);
    try {
      assert.equal((await request(session, { ":method": "CONNECT", ":authority": "example.com:443" })).status, 405);
      assert.equal((await request(session, { ":path": "/other", expect: "something-else" })).status, 417);
      assert.deepEqual(await request(session, { ":method": "POST", ":path": "/other", expect: "100-continue" }), { status: 200, body: "compat POST /other" });
    } finally {
      session.close();
    }
  });

  it("should outlive a client's reset with an error code of a stream it took, and let the handler see it on close", { timeout: 10_000 }, async () => {
    const session = http2.connect(url);
    try {
      const closed = new Promise<unknown>((resolve) => (closedWith = resolve));
      const stream = session.request({ ":method": "POST", ":path": "/watched" });
      stream.on("error", () => undefined); // the client's own side of its reset
      stream.write("x");
      while (server.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
      // Destroys the server's stream with an error: thrown, it would end this process.
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      const error = await closed;
      assert.ok(error instanceof Error);
      assert.equal((error as { code?: unknown }).code, "ERR_HTTP2_STREAM_ERROR");
      assert.deepEqual(await request(session, { ":path": "/raw" }), { status: 200, body: "raw" }, "the server still answers");
    } finally {
      session.close();
    }
  });
});

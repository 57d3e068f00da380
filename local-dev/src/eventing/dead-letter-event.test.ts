import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deadLetterEvent } from "./dead-letter-event.js";

const event = { attributes: { specversion: "1.0", id: "1", source: "/s", type: "t", datacontenttype: "application/json" }, data: Buffer.from("{}") };

describe("deadLetterEvent", () => {
  it("should add the destination, status, kne- headers and the body base64-encoded to the unchanged event", () => {
    const headers = new Headers({ "content-type": "text/plain", "kne-reason": "db", "kne-Bad_Name": "x" });
    const dead = deadLetterEvent(event, { destination: "http://audit/", response: { status: 503, headers, body: Buffer.from("down") } });
    assert.deepEqual(dead.attributes, {
      ...event.attributes,
      knativeerrordest: "http://audit/",
      knativeerrorcode: "503",
      reason: "db",
      knativeerrordata: Buffer.from("down").toString("base64"),
    });
    assert.equal(dead.data, event.data);
  });

  it("should keep the first 1024 bytes of the body, binary included", () => {
    const body = Buffer.concat([Buffer.alloc(1024, 0xff), Buffer.from("cut")]);
    const dead = deadLetterEvent(event, { destination: "d", response: { status: 500, headers: new Headers(), body } });
    assert.deepEqual(Buffer.from(dead.attributes["knativeerrordata"]!, "base64"), Buffer.alloc(1024, 0xff));
  });

  it("should hold only the destination without a response, and no data for an empty body", () => {
    assert.deepEqual(Object.keys(deadLetterEvent(event, { destination: "d" }).attributes).slice(-1), ["knativeerrordest"]);
    const empty = deadLetterEvent(event, { destination: "d", response: { status: 404, headers: new Headers(), body: Buffer.alloc(0) } });
    assert.equal(empty.attributes["knativeerrorcode"], "404");
    assert.equal("knativeerrordata" in empty.attributes, false);
  });
});

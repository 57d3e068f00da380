import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brokerEventFromHttp } from "./broker-event-from-http.js";
import { httpHeadersFromBrokerEvent } from "./http-headers-from-broker-event.js";

const event = { attributes: { specversion: "1.0", id: "1", source: "/s", type: "t", subject: 'a "b" 100%é', datacontenttype: "application/json" }, data: Buffer.from("{}") };

describe("brokerEventFromHttp", () => {
  it("should read back what httpHeadersFromBrokerEvent wrote, percent-encoding undone", () => {
    const headers = httpHeadersFromBrokerEvent(event);
    assert.equal(headers["ce-subject"], "a%20%22b%22%20100%25%C3%A9");
    assert.equal(headers["content-type"], "application/json");
    assert.equal(headers["ce-datacontenttype"], undefined);
    assert.deepEqual(brokerEventFromHttp(new Headers(headers), event.data), event);
  });

  it("should read a structured-mode reply", () => {
    const body = Buffer.from(JSON.stringify({ specversion: "1.0", id: "2", source: "/s", type: "t", data: { ok: true } }));
    const reply = brokerEventFromHttp(new Headers({ "content-type": "application/cloudevents+json" }), body);
    assert.deepEqual(reply, { attributes: { specversion: "1.0", id: "2", source: "/s", type: "t" }, data: Buffer.from('{"ok":true}') });
  });

  it("should find no event in an empty response, and refuse a body that is not one", () => {
    assert.equal(brokerEventFromHttp(new Headers({ "content-type": "text/plain" }), Buffer.alloc(0)), undefined);
    assert.throws(() => brokerEventFromHttp(new Headers({ "content-type": "text/plain" }), Buffer.from("ok")), /not a CloudEvent/);
    assert.throws(() => brokerEventFromHttp(new Headers({ "ce-specversion": "1.0", "ce-id": "%E0%A4%A", "ce-source": "/s", "ce-type": "t" }), Buffer.alloc(0)), /percent-encoded/);
  });
});

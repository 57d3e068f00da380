import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brokerEventFromKafka } from "./broker-event-from-kafka.js";
import { kafkaMessageFromBrokerEvent } from "./kafka-message-from-broker-event.js";

const attributes = { specversion: "1.0", id: "1", source: "/functions/identity", type: "t", subject: "usér", partitionkey: "k", datacontenttype: "application/json" };

describe("brokerEventFromKafka", () => {
  it("should read a binary-mode record: ce_ headers, content-type and value", () => {
    const message = kafkaMessageFromBrokerEvent({ attributes, data: Buffer.from("{}") }, "k");
    assert.equal(message.headers?.["content-type"], "application/json");
    assert.equal(message.headers?.["ce_subject"], "usér", "UTF-8, not percent-encoded, in Kafka headers");
    const headers = Object.fromEntries(Object.entries(message.headers!).map(([k, v]) => [k, Buffer.from(String(v))]));
    assert.deepEqual(brokerEventFromKafka({ headers, value: message.value as Buffer }), { attributes, data: Buffer.from("{}") });
  });

  it("should read a structured-mode record", () => {
    const value = Buffer.from(JSON.stringify({ specversion: "1.0", id: "2", source: "/s", type: "t", datacontenttype: "text/plain", data: "hi", retries: 3 }));
    const event = brokerEventFromKafka({ headers: { "content-type": "application/cloudevents+json; charset=utf-8" }, value });
    assert.deepEqual(event.attributes, { specversion: "1.0", id: "2", source: "/s", type: "t", datacontenttype: "text/plain", retries: "3" });
    assert.equal(event.data.toString(), "hi");
    const base64 = Buffer.from(JSON.stringify({ specversion: "1.0", id: "3", source: "/s", type: "t", data_base64: Buffer.from([1, 2]).toString("base64") }));
    assert.deepEqual(brokerEventFromKafka({ headers: { "content-type": "application/cloudevents+json" }, value: base64 }).data, Buffer.from([1, 2]));
  });

  it("should take a null value as empty data", () => {
    assert.equal(brokerEventFromKafka({ headers: { ce_specversion: "1.0", ce_id: "1", ce_source: "/s", ce_type: "t" }, value: null }).data.length, 0);
  });

  it("should refuse raw records and events missing required attributes", () => {
    assert.throws(() => brokerEventFromKafka({ headers: {}, value: Buffer.from("raw") }), /no ce_specversion header/);
    assert.throws(() => brokerEventFromKafka({ headers: { ce_specversion: "1.0", ce_id: "1", ce_type: "t" }, value: null }), /missing required attribute source/);
    assert.throws(() => brokerEventFromKafka({ headers: { ce_specversion: "0.3", ce_id: "1", ce_source: "/s", ce_type: "t" }, value: null }), /specversion/);
    assert.throws(() => brokerEventFromKafka({ headers: { "content-type": "application/cloudevents+json" }, value: Buffer.from("[") }), /not valid JSON/);
  });
});

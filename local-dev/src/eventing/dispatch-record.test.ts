import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KafkaMessage, Message } from "kafkajs";
import { closedPortUrl, readTopic, waitFor } from "@kinetic/runtime/testing";
import { eventingManifests } from "../../../scripts/manifests/eventing-manifests.js";
import type { TriggerObject } from "../../../scripts/manifests/knative-eventing-objects.js";
import type { SubscriptionDeclaration } from "../../../scripts/manifests/trigger-from-subscription.js";
import { startTestBroker, type TestBroker } from "./test-broker.js";
import { startTestSubscriber, type SubscriberAnswer, type TestSubscriber } from "./test-subscriber.js";

const created = "kinetic.identity.user.created.v1";
type Delivery = SubscriptionDeclaration["delivery"];

/** One function subscribed to `created` with `delivery`, as its generated Trigger. */
function triggerWith(delivery: Partial<Delivery>): { fn: string; triggers: TriggerObject[] } {
  const fn = `audit${randomBytes(3).toString("hex")}`;
  const subscription: SubscriptionDeclaration = {
    name: "users",
    type: created,
    filters: [],
    ordered: true,
    delivery: { retry: 3, backoffPolicy: "exponential", backoffDelay: "PT0.05S", deadLetter: true, ...delivery },
  };
  const objects = eventingManifests([{ name: fn, subscriptions: [subscription] }], { bootstrapServers: ["kafka:9092"] });
  return { fn, triggers: objects.filter((o): o is TriggerObject => o.kind === "Trigger") };
}

const event: Message = {
  key: "user-7",
  value: Buffer.from('{"user":{"id":"user-7"}}'),
  headers: {
    ce_specversion: "1.0",
    ce_id: "evt-1",
    ce_source: "/functions/identity",
    ce_type: created,
    ce_subject: "user-7",
    ce_partitionkey: "user-7",
    "content-type": "application/json",
  },
};
const header = (record: KafkaMessage | undefined, name: string) => record?.headers?.[name]?.toString();
const gaps = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!);

/** Runs `event` through a dispatcher whose one subscriber answers with `answer`, then `inspect`s before closing. */
async function dispatchTo(
  delivery: Partial<Delivery>,
  answer: (n: number) => SubscriberAnswer,
  inspect: (run: { subscriber: TestSubscriber; broker: TestBroker }) => Promise<void>,
): Promise<void> {
  const { fn, triggers } = triggerWith(delivery);
  const subscriber = await startTestSubscriber((_, n) => answer(n));
  const broker = await startTestBroker({ triggers, subscribers: { [fn]: subscriber.url } });
  try {
    await broker.produce(event);
    await inspect({ subscriber, broker });
  } finally {
    await broker.close();
    await subscriber.close();
  }
}
const deliveries = (subscriber: TestSubscriber, count: number) =>
  waitFor(() => (subscriber.received.length >= count ? true : undefined), 15_000, `${count} deliveries`);

describe("dispatchRecord", () => {
  it("should retry a 500, 503 and 429 with exponential back-off, then succeed", async () => {
    const statuses = [500, 503, 429, 202];
    await dispatchTo({ retry: 3, backoffDelay: "PT0.1S" }, (n) => ({ status: statuses[n] ?? 202 }), async ({ subscriber }) => {
      await deliveries(subscriber, 4);
      await sleep(300);
      assert.equal(subscriber.received.length, 4, "three retries, then done");
      const [a, b, c] = gaps(subscriber.received.map((d) => d.at)) as [number, number, number];
      assert.ok(a >= 190 && b >= 390 && c >= 790, `gaps of 200, 400, 800 ms: ${[a, b, c].map(Math.round)}`);
      assert.ok(a < b && b < c);
    });
  });

  it("should space retries linearly for a linear back-off policy", async () => {
    await dispatchTo({ retry: 2, backoffPolicy: "linear", backoffDelay: "PT0.15S" }, (n) => ({ status: n < 2 ? 500 : 202 }), async ({ subscriber }) => {
      await deliveries(subscriber, 3);
      const [a, b] = gaps(subscriber.received.map((d) => d.at)) as [number, number];
      assert.ok(a >= 140 && a < 290 && b >= 290, `gaps of 150, 300 ms: ${[a, b].map(Math.round)}`);
    });
  });

  it("should dead-letter the event after the last retry, with Knative's error extensions", async () => {
    const body = '{"code":"internal","message":"database is down"}';
    const answer = { status: 500, headers: { "content-type": "application/json", "kne-reason": "database" }, body };
    await dispatchTo({ retry: 2 }, () => answer, async ({ subscriber, broker }) => {
      const [dead] = await readTopic(broker.deadLetterTopic, 1);
      assert.equal(subscriber.received.length, 3);
      assert.equal(dead?.key?.toString(), "user-7", "keyed by partitionkey, as KafkaSink writes it");
      assert.equal(dead?.value?.toString(), '{"user":{"id":"user-7"}}');
      for (const name of ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_partitionkey", "content-type"]) {
        assert.equal(header(dead, name), event.headers![name], `${name} unchanged`);
      }
      assert.equal(header(dead, "ce_knativeerrordest"), `${subscriber.url}/`);
      assert.equal(header(dead, "ce_knativeerrorcode"), "500");
      assert.equal(header(dead, "ce_knativeerrordata"), Buffer.from(body).toString("base64"));
      assert.equal(header(dead, "ce_reason"), "database", "kne-* response headers become extensions");
    });
  });

  it("should dead-letter a 400 at once, without retrying", async () => {
    await dispatchTo({ retry: 5 }, () => ({ status: 400, body: "no subscription for type" }), async ({ subscriber, broker }) => {
      const [dead] = await readTopic(broker.deadLetterTopic, 1);
      assert.equal(subscriber.received.length, 1);
      assert.equal(header(dead, "ce_knativeerrorcode"), "400");
      assert.equal(Buffer.from(header(dead, "ce_knativeerrordata")!, "base64").toString(), "no subscription for type");
    });
  });

  it("should retry a subscriber that refuses connections, then dead-letter with the destination only", async () => {
    const { fn, triggers } = triggerWith({ retry: 1, backoffDelay: "PT0.02S" });
    const url = await closedPortUrl();
    const broker = await startTestBroker({ triggers, subscribers: { [fn]: url } });
    try {
      await broker.produce(event);
      const [dead] = await readTopic(broker.deadLetterTopic, 1);
      assert.equal(header(dead, "ce_id"), "evt-1");
      assert.equal(header(dead, "ce_knativeerrordest"), `${url}/`);
      assert.equal(header(dead, "ce_knativeerrorcode"), undefined);
      assert.equal(header(dead, "ce_knativeerrordata"), undefined);
    } finally {
      await broker.close();
    }
  });

  it("should dead-letter without retrying a 200 whose body is not an event", async () => {
    await dispatchTo({ retry: 3 }, () => ({ status: 200, body: "ok" }), async ({ subscriber, broker }) => {
      const [dead] = await readTopic(broker.deadLetterTopic, 1);
      assert.equal(subscriber.received.length, 1);
      assert.equal(header(dead, "ce_knativeerrordest"), `${subscriber.url}/`);
      assert.equal(header(dead, "ce_knativeerrorcode"), undefined);
    });
  });

  it("should deliver an event again after a restart when its outcome was not reached (at least once)", async () => {
    const { fn, triggers } = triggerWith({ retry: 20, backoffDelay: "PT0.05S", backoffPolicy: "linear" });
    let healthy = false;
    const subscriber = await startTestSubscriber(() => ({ status: healthy ? 202 : 503 }));
    const broker = await startTestBroker({ triggers, subscribers: { [fn]: subscriber.url } });
    try {
      await broker.produce(event);
      await deliveries(subscriber, 2);
      await broker.restart();
      healthy = true;
      const failed = subscriber.received.length;
      await waitFor(() => (subscriber.received.length > failed ? true : undefined), 15_000, "the redelivery");
      assert.equal(subscriber.received.at(-1)?.headers["ce-id"], "evt-1");
    } finally {
      await broker.close();
      await subscriber.close();
    }
  });
});

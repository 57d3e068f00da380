import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brokerTopicName, eventingManifests, type EventingDeclaration } from "./eventing-manifests.js";
import type { TriggerObject } from "./knative-eventing-objects.js";
import type { SubscriptionDeclaration } from "./trigger-from-subscription.js";

const options = { bootstrapServers: ["kafka-a:9092", "kafka-b:9092"] };
const delivery = { retry: 5, backoffPolicy: "exponential", backoffDelay: "PT0.2S", deadLetter: true } as const;
const subscription = (init: Partial<SubscriptionDeclaration> = {}): SubscriptionDeclaration => ({
  name: "identity-user-created-v1",
  type: "kinetic.identity.user.created.v1",
  filters: [],
  ordered: true,
  delivery,
  ...init,
});
const triggersOf = (declarations: EventingDeclaration[], opts = {}) =>
  eventingManifests(declarations, { ...options, ...opts }).filter((o): o is TriggerObject => o.kind === "Trigger");

describe("eventingManifests", () => {
  it("should make the Kafka broker, its config and the dead-letter sink when nothing subscribes", () => {
    const [config, broker, sink, ...rest] = eventingManifests([{ name: "identity" }], options);
    assert.deepEqual(rest, []);
    assert.equal(config?.kind, "ConfigMap");
    assert.deepEqual(config.kind === "ConfigMap" && config.data, {
      "default.topic.partitions": "10",
      "default.topic.replication.factor": "3",
      "bootstrap.servers": "kafka-a:9092,kafka-b:9092",
    });
    assert.equal(broker?.kind, "Broker");
    assert.equal(broker.metadata.annotations?.["eventing.knative.dev/broker.class"], "Kafka");
    assert.deepEqual(broker.kind === "Broker" && broker.spec.config, {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "kinetic-kafka-broker-config",
      namespace: "default",
    });
    assert.deepEqual(broker.kind === "Broker" && broker.spec.delivery, { backoffPolicy: "exponential", backoffDelay: "PT0.2S" });
    assert.equal(sink?.kind, "KafkaSink");
    assert.deepEqual(sink.kind === "KafkaSink" && sink.spec, {
      topic: "kinetic.dead-letters",
      bootstrapServers: ["kafka-a:9092", "kafka-b:9092"],
      contentMode: "binary",
      numPartitions: 10,
      replicationFactor: 3,
    });
  });

  it("should make one trigger per subscription: type filter first, the function's service, delivery and order", () => {
    const filters = [{ prefix: { subject: "user-" } }, { exact: { source: "/functions/identity" } }];
    const [trigger] = triggersOf([{ name: "audit", subscriptions: [subscription({ filters })] }]);
    assert.deepEqual(trigger, {
      apiVersion: "eventing.knative.dev/v1",
      kind: "Trigger",
      metadata: {
        name: "audit-identity-user-created-v1",
        namespace: "default",
        labels: { "app.kubernetes.io/part-of": "kinetic", "app.kubernetes.io/managed-by": "kinetic-manifests", "kinetic.dev/function": "audit" },
        annotations: { "kafka.eventing.knative.dev/delivery.order": "ordered" },
      },
      spec: {
        broker: "kinetic",
        filters: [{ exact: { type: "kinetic.identity.user.created.v1" } }, ...filters],
        subscriber: { ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "audit" } },
        delivery: {
          retry: 5,
          backoffPolicy: "exponential",
          backoffDelay: "PT0.2S",
          deadLetterSink: { ref: { apiVersion: "eventing.knative.dev/v1alpha1", kind: "KafkaSink", name: "kinetic-dead-letters" } },
        },
      },
    });
  });

  it("should leave out the dead-letter sink when a subscription declines it, and mark unordered ones", () => {
    const lenient = subscription({ name: "lenient", ordered: false, delivery: { ...delivery, retry: 0, backoffPolicy: "linear", deadLetter: false } });
    const [trigger] = triggersOf([{ name: "audit", subscriptions: [lenient] }]);
    assert.deepEqual(trigger?.spec.delivery, { retry: 0, backoffPolicy: "linear", backoffDelay: "PT0.2S" });
    assert.equal(trigger?.metadata.annotations?.["kafka.eventing.knative.dev/delivery.order"], "unordered");
  });

  it("should order triggers by name across functions and put everything in the given namespace", () => {
    const triggers = triggersOf(
      [
        { name: "mailer", subscriptions: [subscription({ name: "welcome" })] },
        { name: "audit", subscriptions: [subscription({ name: "users" }), subscription({ name: "logins", type: "kinetic.auth.login.succeeded.v1" })] },
      ],
      { namespace: "kinetic-prod" },
    );
    assert.deepEqual(triggers.map((t) => t.metadata.name), ["audit-logins", "audit-users", "mailer-welcome"]);
    assert.ok(triggers.every((t) => t.metadata.namespace === "kinetic-prod"));
  });

  it("should reject a trigger name longer than a DNS label, and two subscriptions making one name", () => {
    assert.throws(() => triggersOf([{ name: "a".repeat(40), subscriptions: [subscription({ name: "b".repeat(30) })] }]), /DNS-1035 label of at most 63/);
    assert.throws(
      () => triggersOf([{ name: "a-b", subscriptions: [subscription({ name: "c" })] }, { name: "a", subscriptions: [subscription({ name: "b-c" })] }]),
      /two subscriptions make the trigger "a-b-c"/,
    );
  });

  it("should reject subscriptions the broker's delivery defaults would override", () => {
    const deadLetterSink = { ref: { apiVersion: "eventing.knative.dev/v1alpha1", kind: "KafkaSink", name: "kinetic-dead-letters" } };
    const noRetry = subscription({ delivery: { ...delivery, retry: 0 } });
    const noDeadLetter = subscription({ delivery: { ...delivery, deadLetter: false } });
    assert.throws(() => triggersOf([{ name: "audit", subscriptions: [noRetry] }], { brokerDelivery: { retry: 3 } }), /retry 0 would become the broker's retry 3/);
    assert.throws(() => triggersOf([{ name: "audit", subscriptions: [noDeadLetter] }], { brokerDelivery: { deadLetterSink } }), /deadLetter false/);
    assert.equal(triggersOf([{ name: "audit", subscriptions: [subscription()] }], { brokerDelivery: { retry: 3, deadLetterSink } }).length, 1);
  });

  it("should name the broker's topic as the Kafka Broker does, the outbox relay's default topic", () => {
    assert.equal(brokerTopicName("default", "kinetic"), "knative-broker-default-kinetic");
  });
});

import { eventingManifests, type EventingDeclaration } from "../../../scripts/manifests/eventing-manifests.js";
import type { TriggerObject } from "../../../scripts/manifests/knative-eventing-objects.js";
import type { SubscriptionDeclaration } from "../../../scripts/manifests/trigger-from-subscription.js";

/** Test-only: a fast delivery spec, 3 retries 10 ms apart (exponential), then dead letters. */
export const testDelivery = { retry: 3, backoffPolicy: "exponential", backoffDelay: "PT0.01S", deadLetter: true } as const;

/** Test-only: an ordered subscription to `type` with `testDelivery`, named after the type. */
export const testSubscription = (type: string, init: Partial<SubscriptionDeclaration> = {}): SubscriptionDeclaration => ({
  name: type.replace(/^kinetic\./, "").replaceAll(".", "-"),
  type,
  filters: [],
  ordered: true,
  delivery: testDelivery,
  ...init,
});

/** Test-only: the Triggers the cluster would get for these declarations. */
export const triggersOf = (declarations: EventingDeclaration[]): TriggerObject[] =>
  eventingManifests(declarations, { bootstrapServers: ["kafka:9092"] }).filter((o): o is TriggerObject => o.kind === "Trigger");

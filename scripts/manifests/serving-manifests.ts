import { runtimeEnv } from "@kinetic/runtime";
import type { ConfigMapObject } from "./knative-eventing-objects.js";
import type { ResourceRequirements, ServingObject } from "./knative-serving-objects.js";
import { serviceFromDeclaration, type ServingDeclaration } from "./service-from-declaration.js";
import { defaultMaxRevisionTimeoutSeconds, revisionTimeouts, type RuntimeTimeouts } from "./revision-timeouts.js";

export interface ServingManifestsOptions {
  /** KAFKA_BROKERS of every function: the cluster's Kafka bootstrap servers. Required. */
  kafkaBrokers: readonly string[];
  /** KINETIC_EVENTS_TOPIC: the Kafka Broker's topic (`brokerTopicName(namespace, broker)`). Required. */
  eventsTopic: string;
  /** Namespace of every object. Default "default". */
  namespace?: string;
  /** LOG_LEVEL of every function. Default "info". */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Images are `<imagePrefix>/<name>`, rewritten per environment by the kustomization's `images:`. Default "kinetic". */
  imagePrefix?: string;
  /** Every container's requests and limits. Default `defaultResources`. */
  resources?: ResourceRequirements;
  /**
   * KINETIC_MAX_TIMEOUT_MS and KINETIC_DRAIN_TIMEOUT_MS, set in every Service beside the
   * Revision timeouts derived from them. Default the runtime's defaults (300000, 25000).
   */
  runtime?: RuntimeTimeouts;
  /** The cluster's `max-revision-timeout-seconds` (`config-defaults`). Default 600. */
  maxRevisionTimeoutSeconds?: number;
}

/** The platform ConfigMap every function reads through `envFrom`. */
export const platformConfigMapName = "kinetic-platform";

/**
 * Requests and limits of a function's container. Measured: identity idles at ~150 MB RSS run
 * from sources (tsx's loader adds ~35 MB of it) and peaks at ~290 MB hashing 40 passwords at
 * once (scrypt, 32 MiB each, four at a time on libuv's pool); one core bounds a Node process's
 * main thread anyway.
 */
export const defaultResources: ResourceRequirements = {
  requests: { cpu: "250m", memory: "256Mi" },
  limits: { cpu: "1", memory: "512Mi" },
};

/** The runtime's own defaults for the two bounds the Revision timeouts derive from. */
export const defaultRuntimeTimeouts: RuntimeTimeouts = {
  maxRequestMs: runtimeEnv.KINETIC_MAX_TIMEOUT_MS.defaultValue!,
  drainMs: runtimeEnv.KINETIC_DRAIN_TIMEOUT_MS.defaultValue!,
};

/**
 * The platform's serving objects: the ConfigMap `kinetic-platform` (Kafka, events topic, log
 * level, `DATABASE_PROVISION=off`: production functions log in as their provisioned role), then
 * one Knative Service per function, by name. Throws a `TypeError` when the runtime's bounds
 * need Revision timeouts the cluster does not allow, or a declaration Knative would alter.
 *
 * @example
 * const objects = servingManifests(await loadDeclarations(), { kafkaBrokers: ["kafka:9092"], eventsTopic: "knative-broker-default-kinetic" });
 */
export function servingManifests(declarations: readonly ServingDeclaration[], options: ServingManifestsOptions): ServingObject[] {
  const {
    kafkaBrokers,
    eventsTopic,
    namespace = "default",
    logLevel = "info",
    imagePrefix = "kinetic",
    resources = defaultResources,
    runtime = defaultRuntimeTimeouts,
    maxRevisionTimeoutSeconds = defaultMaxRevisionTimeoutSeconds,
  } = options;
  const labels = { "app.kubernetes.io/part-of": "kinetic", "app.kubernetes.io/managed-by": "kinetic-manifests" };
  const config: ConfigMapObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: platformConfigMapName, namespace, labels },
    data: {
      DATABASE_PROVISION: "off",
      KAFKA_BROKERS: kafkaBrokers.join(","),
      KINETIC_EVENTS_TOPIC: eventsTopic,
      LOG_LEVEL: logLevel,
    },
  };
  const timeouts = revisionTimeouts(runtime, maxRevisionTimeoutSeconds);
  const context = { namespace, labels, imagePrefix, platformConfigMap: platformConfigMapName, resources, runtime, timeouts };
  const services = [...declarations].sort((a, b) => a.name.localeCompare(b.name)).map((fn) => serviceFromDeclaration(fn, context));
  return [config, ...services];
}

import type { ServiceObject, EnvVarObject, ResourceRequirements } from "./knative-serving-objects.js";
import { autoscalingAnnotations, visibilityLabel } from "./knative-serving-objects.js";
import type { RevisionTimeouts, RuntimeTimeouts } from "./revision-timeouts.js";

/** What a Knative Service needs of a function declaration (`KineticFunction` satisfies it). */
export interface ServingDeclaration {
  readonly name: string;
  readonly description: string;
  readonly visibility: "public" | "cluster-local";
  readonly scaling: {
    readonly minScale: number;
    readonly maxScale: number;
    readonly target: number;
    readonly containerConcurrency: number;
    readonly windowSeconds?: number | undefined;
  };
  /** Reads DATABASE_URL (its schema's migrations). */
  readonly migrations?: URL | undefined;
  /** Reads REDIS_URL. */
  readonly redis?: boolean | undefined;
}

/** What every Service shares: computed once by `servingManifests`. @internal */
export interface ServiceContext {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly imagePrefix: string;
  readonly platformConfigMap: string;
  readonly resources: ResourceRequirements;
  readonly runtime: RuntimeTimeouts;
  readonly timeouts: RevisionTimeouts;
}

/** The one port Knative routes to: h2c, so gRPC and HTTP/2 reach the function end to end. */
export const servingPort = { name: "h2c", containerPort: 8080 } as const;

/** The uid and gid of the `node` user of the official Node.js images. */
export const nonRootUser = 1000;

/**
 * The Knative Service of one function: its name, description and visibility; the autoscaler's
 * annotations and `containerConcurrency` from `scaling`; one container `<imagePrefix>/<name>` on
 * the `h2c` port with `/readyz` and `/healthz` probes; configuration from the platform ConfigMap,
 * the function's optional ConfigMap and Secret `kinetic-<name>`, and the Secret keys it cannot
 * start without (DATABASE_URL with migrations, REDIS_URL with redis) as required references;
 * the runtime's timeouts pinned beside the Revision's, so they cannot drift apart. Throws a
 * `TypeError` for a `target` above a non-zero `containerConcurrency`, which Knative would lower.
 *
 * @example
 * serviceFromDeclaration(identity, context).spec.template.spec.containers[0].image // "kinetic/identity"
 */
export function serviceFromDeclaration(fn: ServingDeclaration, context: ServiceContext): ServiceObject {
  const { minScale, maxScale, target, containerConcurrency, windowSeconds } = fn.scaling;
  if (containerConcurrency > 0 && target > containerConcurrency) {
    throw new TypeError(`function "${fn.name}": scaling.target ${target} exceeds containerConcurrency ${containerConcurrency}, and Knative would aim at ${containerConcurrency}: declare a target of at most ${containerConcurrency}`);
  }
  const secret = `kinetic-${fn.name}`;
  const required = [...(fn.migrations ? ["DATABASE_URL"] : []), ...(fn.redis ? ["REDIS_URL"] : [])];
  const podLabels = { "app.kubernetes.io/name": fn.name, "app.kubernetes.io/part-of": "kinetic", "kinetic.dev/function": fn.name };
  const env: EnvVarObject[] = [
    ...required.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } })),
    { name: "KINETIC_MAX_TIMEOUT_MS", value: String(context.runtime.maxRequestMs) },
    { name: "KINETIC_DRAIN_TIMEOUT_MS", value: String(context.runtime.drainMs) },
  ];
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: {
      name: fn.name,
      namespace: context.namespace,
      labels: {
        "app.kubernetes.io/name": fn.name,
        ...context.labels,
        "kinetic.dev/function": fn.name,
        ...(fn.visibility === "public" ? {} : { [visibilityLabel]: "cluster-local" }),
      },
      annotations: { "kinetic.dev/description": fn.description },
    },
    spec: {
      template: {
        metadata: {
          labels: podLabels,
          annotations: {
            [autoscalingAnnotations.class]: "kpa.autoscaling.knative.dev",
            [autoscalingAnnotations.metric]: "concurrency",
            [autoscalingAnnotations.target]: String(target),
            [autoscalingAnnotations.minScale]: String(minScale),
            [autoscalingAnnotations.maxScale]: String(maxScale),
            ...(windowSeconds === undefined ? {} : { [autoscalingAnnotations.window]: `${windowSeconds}s` }),
          },
        },
        spec: {
          containerConcurrency,
          ...context.timeouts,
          enableServiceLinks: false,
          containers: [
            {
              name: fn.name,
              image: `${context.imagePrefix}/${fn.name}`,
              ports: [servingPort],
              envFrom: [
                { configMapRef: { name: context.platformConfigMap } },
                { configMapRef: { name: secret, optional: true } },
                { secretRef: { name: secret, optional: true } },
              ],
              env,
              // No periodSeconds: Knative's queue-proxy then probes every 25 ms until ready, for fast cold starts.
              readinessProbe: { httpGet: { path: "/readyz" } },
              // Six misses, a minute: survives a slow start and the whole drain, when the port refuses probes.
              livenessProbe: { httpGet: { path: "/healthz" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
              resources: context.resources,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: nonRootUser,
                runAsGroup: nonRootUser,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          ],
        },
      },
    },
  };
}

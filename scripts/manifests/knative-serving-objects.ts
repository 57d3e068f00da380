import type { ConfigMapObject, ObjectMeta } from "./knative-eventing-objects.js";

/**
 * The Kubernetes objects the serving manifests consist of, typed as far as we write them: the
 * platform ConfigMap and one Knative Service per function. Field names and nesting are the
 * Knative Serving API's (checked against the CRD schema in `crds/` by the tests).
 */
export type ServingObject = ConfigMapObject | ServiceObject;

/** `serving.knative.dev/v1` Service: a Route and a Configuration stamping out Revisions. */
export interface ServiceObject {
  readonly apiVersion: "serving.knative.dev/v1";
  readonly kind: "Service";
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly template: {
      readonly metadata: {
        readonly labels: Readonly<Record<string, string>>;
        readonly annotations: Readonly<Record<string, string>>;
      };
      readonly spec: RevisionSpec;
    };
  };
}

/** The Revision's spec: a PodSpec subset plus Knative's request-routing fields. */
export interface RevisionSpec {
  /** Hard limit of in-flight requests per instance; 0 = unlimited. */
  readonly containerConcurrency: number;
  /** Longest a request may go without a response starting; also the pod's terminationGracePeriodSeconds. */
  readonly timeoutSeconds: number;
  /** Longest the routing layer waits for a response's first bytes. */
  readonly responseStartTimeoutSeconds: number;
  /** Longest a response may go without sending bytes; 0 = no limit. */
  readonly idleTimeoutSeconds: number;
  readonly enableServiceLinks: boolean;
  readonly containers: readonly [Container];
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly ports: readonly { readonly name: "h2c" | "http1"; readonly containerPort: number }[];
  readonly envFrom: readonly EnvFromSource[];
  readonly env: readonly EnvVarObject[];
  readonly readinessProbe: Probe;
  readonly livenessProbe: Probe;
  readonly resources: ResourceRequirements;
  readonly securityContext: SecurityContext;
}

export type EnvFromSource =
  | { readonly configMapRef: { readonly name: string; readonly optional?: boolean } }
  | { readonly secretRef: { readonly name: string; readonly optional?: boolean } };

export type EnvVarObject =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } };

/** An HTTP probe on the serving port (Knative fills the port in and routes it through the queue-proxy). */
export interface Probe {
  readonly httpGet: { readonly path: string };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

/** Kubernetes quantities, such as `{ cpu: "250m", memory: "256Mi" }`. */
export interface ResourceRequirements {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

/** The container security context fields Knative admits without feature flags. */
export interface SecurityContext {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly allowPrivilegeEscalation: boolean;
  readonly readOnlyRootFilesystem: boolean;
  readonly capabilities: { readonly drop: readonly string[] };
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

/** The label keeping a Knative Service off the ingress: reachable only inside the cluster. */
export const visibilityLabel = "networking.knative.dev/visibility";

/** Revision-template annotations of Knative's autoscaler. */
export const autoscalingAnnotations = {
  class: "autoscaling.knative.dev/class",
  metric: "autoscaling.knative.dev/metric",
  target: "autoscaling.knative.dev/target",
  minScale: "autoscaling.knative.dev/min-scale",
  maxScale: "autoscaling.knative.dev/max-scale",
  window: "autoscaling.knative.dev/window",
} as const;

import { autoscalingAnnotations, visibilityLabel } from "./knative-serving-objects.js";
import { defaultMaxRevisionTimeoutSeconds } from "./revision-timeouts.js";

/**
 * Knative Serving's webhook rules the Service CRD schema cannot express (knative/serving
 * `pkg/apis/serving/k8s_validation.go`, `pkg/apis/autoscaling/annotation_validation.go`), for a
 * cluster with Knative's default `config-defaults`, `config-features` and `config-autoscaler`.
 */
const reservedPorts = new Set([8008, 8012, 8013, 8022, 9090, 9091]);
const reservedEnv = new Set(["PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"]);
const portNames = new Set(["h2c", "http1", ""]);
const containerConcurrencyMaxLimit = 1000;
/** A container image reference: [registry[:port]/]path[:tag][@digest], lower-case path. */
const imageReference = /^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

interface Probe {
  httpGet?: { port?: number | string };
  tcpSocket?: { port?: number | string };
  exec?: unknown;
  grpc?: unknown;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

interface Container {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number; protocol?: string }[];
  env?: { name?: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: unknown; secretRef?: unknown }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}

interface Service {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: {
        containers?: Container[];
        securityContext?: unknown;
        containerConcurrency?: number;
        timeoutSeconds?: number;
        responseStartTimeoutSeconds?: number;
        idleTimeoutSeconds?: number;
      };
    };
  };
}

/**
 * What Knative's admission webhook would reject in a `serving.knative.dev/v1` Service, one line
 * per problem naming the field; empty when it would be admitted. Covers the serving port (one,
 * named `h2c`, `http1` or nothing, not reserved), images, reserved environment variables,
 * `envFrom` sources, probe ports and readiness-probe fields, the pod security context (behind a
 * feature flag), timeout and concurrency bounds, autoscaling annotations and the visibility label.
 *
 * @example
 * serviceAdmissionProblems(serviceWithPortNamedGrpc) // ['spec.template.spec.containers[0].ports[0].name "grpc" is not allowed: …']
 */
export function serviceAdmissionProblems(object: unknown): string[] {
  const service = object as Service;
  const spec = service.spec?.template?.spec ?? {};
  const problems: string[] = [];
  const at = "spec.template.spec";
  const containers = spec.containers ?? [];
  if (containers.length === 0) problems.push(`${at}.containers must hold a container`);
  const ported = containers.flatMap((c, i) => (c.ports ?? []).map((port, j) => ({ port, where: `${at}.containers[${i}].ports[${j}]` })));
  if (ported.length > 1) problems.push(`${at}.containers: only one container port is allowed, found ${ported.length}`);
  const port = { name: "", containerPort: 8080, ...ported[0]?.port };
  if (ported[0] !== undefined) {
    const { where } = ported[0];
    if (!portNames.has(port.name)) problems.push(`${where}.name "${port.name}" is not allowed: Knative accepts h2c, http1 or none`);
    if (reservedPorts.has(port.containerPort)) problems.push(`${where}.containerPort ${port.containerPort} is reserved by Knative's queue-proxy`);
    if (!(port.containerPort > 0 && port.containerPort <= 65535)) problems.push(`${where}.containerPort ${port.containerPort} is not a port`);
    if (port.protocol !== undefined && port.protocol !== "TCP") problems.push(`${where}.protocol must be TCP`);
  }
  containers.forEach((container, i) => problems.push(...containerProblems(container, `${at}.containers[${i}]`, port, containers.length === 1 || (container.ports?.length ?? 0) > 0)));
  if (spec.securityContext !== undefined) problems.push(`${at}.securityContext needs Knative's kubernetes.podspec-securitycontext feature flag: set the container's securityContext instead`);
  const cc = spec.containerConcurrency;
  if (cc !== undefined && !(cc >= 0 && cc <= containerConcurrencyMaxLimit)) problems.push(`${at}.containerConcurrency ${cc} must be from 0 to ${containerConcurrencyMaxLimit}`);
  for (const field of ["timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds"] as const) {
    const value = spec[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= defaultMaxRevisionTimeoutSeconds)) {
      problems.push(`${at}.${field} ${value} must be from 0 to max-revision-timeout-seconds (${defaultMaxRevisionTimeoutSeconds})`);
    }
  }
  problems.push(...autoscalingProblems(service.spec?.template?.metadata?.annotations ?? {}));
  const visibility = service.metadata?.labels?.[visibilityLabel];
  if (visibility !== undefined && visibility !== "cluster-local") problems.push(`metadata.labels.${visibilityLabel} must be "cluster-local" (or absent for a public Service)`);
  return problems;
}

/** Internal: one container's image, name, environment and probes. */
function containerProblems(container: Container, at: string, port: { name: string; containerPort: number }, serving: boolean): string[] {
  const problems: string[] = [];
  if (!container.image) problems.push(`${at}.image is required`);
  else if (!imageReference.test(container.image)) problems.push(`${at}.image "${container.image}" is not an image reference`);
  if (container.name === "queue-proxy") problems.push(`${at}.name "queue-proxy" is reserved`);
  (container.env ?? []).forEach((variable, i) => {
    if (!variable.name) problems.push(`${at}.env[${i}].name is required`);
    else if (reservedEnv.has(variable.name)) problems.push(`${at}.env[${i}].name ${variable.name} is set by Knative`);
    if (variable.value !== undefined && variable.valueFrom !== undefined) problems.push(`${at}.env[${i}] has both value and valueFrom`);
  });
  (container.envFrom ?? []).forEach((source, i) => {
    if ((source.configMapRef === undefined) === (source.secretRef === undefined)) problems.push(`${at}.envFrom[${i}] needs exactly one of configMapRef and secretRef`);
  });
  for (const kind of ["readinessProbe", "livenessProbe"] as const) {
    const probe = container[kind];
    if (probe === undefined) continue;
    if (!serving) problems.push(`${at}.${kind} is only allowed on the serving container`);
    const handlers = (["httpGet", "tcpSocket", "exec", "grpc"] as const).filter((h) => probe[h] !== undefined);
    if (handlers.length !== 1) problems.push(`${at}.${kind} needs exactly one of httpGet, tcpSocket, exec and grpc`);
    const probePort = probe.httpGet?.port ?? probe.tcpSocket?.port;
    // Knative routes the probe to the serving port itself: another port is a mistake it would hide.
    if (probePort !== undefined && probePort !== port.name && probePort !== port.containerPort) {
      problems.push(`${at}.${kind} port ${probePort} must be omitted or the container port (${port.name || port.containerPort})`);
    }
    if (kind === "readinessProbe" && !probe.periodSeconds && (probe.failureThreshold !== undefined || probe.timeoutSeconds !== undefined)) {
      problems.push(`${at}.readinessProbe: failureThreshold and timeoutSeconds are disallowed when periodSeconds is zero (Knative's aggressive probing)`);
    }
  }
  return problems;
}

/** Internal: the KPA annotations of the revision template. */
function autoscalingProblems(annotations: Record<string, string>): string[] {
  const problems: string[] = [];
  const at = "spec.template.metadata.annotations";
  const a = autoscalingAnnotations;
  const klass = annotations[a.class] ?? "kpa.autoscaling.knative.dev";
  if (klass !== "kpa.autoscaling.knative.dev" && klass !== "hpa.autoscaling.knative.dev") problems.push(`${at}.${a.class} "${klass}" is not an autoscaler class`);
  const metric = annotations[a.metric];
  if (klass === "kpa.autoscaling.knative.dev" && metric !== undefined && metric !== "concurrency" && metric !== "rps") {
    problems.push(`${at}.${a.metric} "${metric}" must be concurrency or rps for the KPA`);
  }
  const target = annotations[a.target];
  if (target !== undefined && !(Number(target) >= 0.01)) problems.push(`${at}.${a.target} "${target}" must be a number of at least 0.01`);
  const scale = (key: string) => {
    const raw = annotations[key];
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) problems.push(`${at}.${key} "${raw}" must be a whole number`);
    return Number(raw);
  };
  const min = scale(a.minScale);
  const max = scale(a.maxScale);
  if (min !== undefined && max !== undefined && max > 0 && min > max) problems.push(`${at}.${a.minScale} ${min} exceeds ${a.maxScale} ${max}`);
  const window = annotations[a.window];
  if (window !== undefined) {
    const seconds = durationSeconds(window);
    if (seconds === undefined || seconds < 6 || seconds > 3600) problems.push(`${at}.${a.window} "${window}" must be a duration from 6s to 1h`);
    if (klass !== "kpa.autoscaling.knative.dev") problems.push(`${at}.${a.window} is only for the KPA`);
  }
  return problems;
}

/** Internal: a Go duration ("90s", "1m30s", "1h") in seconds, or undefined. */
function durationSeconds(text: string): number | undefined {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit!]!, 0);
}

import { existsSync, readFileSync } from "node:fs";
import type { RegistryStrategy } from "./registry.js";

export interface KubernetesDnsStrategyOptions {
  /** Environment read for KINETIC_NAMESPACE / POD_NAMESPACE and KINETIC_CLUSTER_DOMAIN. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where Kubernetes mounts the pod's namespace. Default /var/run/secrets/kubernetes.io/serviceaccount/namespace. */
  namespaceFile?: string;
}

/**
 * Kubernetes DNS: `http://<name>.<namespace>.svc.<cluster domain>` (port 80, Knative's cluster-local
 * address). The namespace comes from KINETIC_NAMESPACE, POD_NAMESPACE, or the service account's
 * namespace file; outside a cluster (none of them) the strategy stays silent.
 */
export function kubernetesDnsStrategy({
  env = process.env,
  namespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
}: KubernetesDnsStrategyOptions = {}): RegistryStrategy {
  const namespace = env["KINETIC_NAMESPACE"] || env["POD_NAMESPACE"] || (existsSync(namespaceFile) ? readFileSync(namespaceFile, "utf8").trim() : "");
  const domain = env["KINETIC_CLUSTER_DOMAIN"] || "cluster.local";
  return {
    name: namespace ? `Kubernetes DNS in namespace ${namespace}` : "not in a Kubernetes cluster (no namespace)",
    resolve: async (fn) => (namespace ? `http://${fn}.${namespace}.svc.${domain}` : undefined),
  };
}

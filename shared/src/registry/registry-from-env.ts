import { envOverrideStrategy } from "./env-override-strategy.js";
import { kubernetesDnsStrategy } from "./kubernetes-dns-strategy.js";
import { localRegistryStrategy } from "./local-registry-strategy.js";
import { createRegistry, type Registry } from "./registry.js";

/**
 * The registry every function uses unless told otherwise, first match wins:
 * 1. `KINETIC_<NAME>_URL` overrides;
 * 2. the local registry at `KINETIC_REGISTRY_URL` (set by `npm run dev`);
 * 3. Kubernetes DNS when running in a cluster.
 */
export function registryFromEnv(env: NodeJS.ProcessEnv = process.env): Registry {
  const local = env["KINETIC_REGISTRY_URL"];
  return createRegistry([
    envOverrideStrategy(env),
    ...(local ? [localRegistryStrategy({ url: local })] : []),
    kubernetesDnsStrategy({ env }),
  ]);
}

import { Code, ConnectError } from "@connectrpc/connect";

/**
 * One way of finding a function: an explicit override, the local registry, Kubernetes DNS,
 * or one you add (Consul, etcd) without touching any caller.
 */
export interface RegistryStrategy {
  /** Shown in errors: what this strategy looked at ("KINETIC_IDENTITY_URL is not set"). */
  readonly name: string;
  /** The function's base URL, or `undefined` to let the next strategy answer. */
  resolve(fn: string): Promise<string | undefined>;
}

/** Finds the base URL of a function. */
export interface Registry {
  /** Base URL of `fn` (no trailing slash); `unavailable` naming every strategy tried when none knows it. */
  resolve(fn: string): Promise<string>;
}

/**
 * Chains strategies: the first that knows the function wins.
 *
 * @example
 * const registry = createRegistry([envOverrideStrategy(process.env), kubernetesDnsStrategy()]);
 * const url = await registry.resolve("identity");
 */
export function createRegistry(strategies: readonly RegistryStrategy[]): Registry {
  return {
    async resolve(fn) {
      for (const strategy of strategies) {
        const url = await strategy.resolve(fn);
        if (url !== undefined) return url.replace(/\/+$/, "");
      }
      const tried = strategies.map((s) => s.name).join("; ");
      throw new ConnectError(`cannot find function "${fn}": ${tried || "no registry strategy configured"}`, Code.Unavailable);
    },
  };
}

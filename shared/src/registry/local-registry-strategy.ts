import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@kinetic/contracts/kinetic/registry/v1/registry_pb.js";
import type { RegistryStrategy } from "./registry.js";

export interface LocalRegistryStrategyOptions {
  /** The local registry's URL (KINETIC_REGISTRY_URL). Required. */
  url: string;
  /** How long an answer is reused before asking again. Default 1000 ms. */
  cacheMs?: number;
}

/**
 * The emulator's registry: only healthy instances, which it health-checks; several instances
 * are used in turn. Answers are cached for `cacheMs` so a call does not cost a lookup.
 */
export function localRegistryStrategy({ url, cacheMs = 1000 }: LocalRegistryStrategyOptions): RegistryStrategy {
  const registry = createClient(RegistryService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
  const cache = new Map<string, { urls: string[]; until: number; next: number }>();
  return {
    name: `no healthy instance in the local registry at ${url}`,
    async resolve(fn) {
      let entry = cache.get(fn);
      if (!entry || entry.until < Date.now()) {
        try {
          const { instances } = await registry.resolve({ function: fn }, { timeoutMs: 2000 });
          entry = { urls: instances.map((i) => i.url), until: Date.now() + cacheMs, next: 0 };
        } catch (err) {
          const e = ConnectError.from(err);
          if (e.code !== Code.NotFound) throw new ConnectError(`the local registry at ${url} is unavailable: ${e.rawMessage}`, Code.Unavailable);
          entry = { urls: [], until: Date.now() + Math.min(cacheMs, 250), next: 0 };
        }
        cache.set(fn, entry);
      }
      if (entry.urls.length === 0) return undefined;
      return entry.urls[entry.next++ % entry.urls.length];
    },
  };
}

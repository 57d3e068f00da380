import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@kinetic/contracts/kinetic/registry/v1/registry_pb.js";
import type { Logger } from "../log/logger.js";

export interface RegisterInstanceOptions {
  /** The local registry (KINETIC_REGISTRY_URL). Required. */
  registryUrl: string;
  /** The function's name. Required. */
  fn: string;
  /** Where this instance answers. Required. */
  url: string;
  /** Full names of the proto services it serves. Required. */
  services: readonly string[];
  log: Logger;
  /** Registration is renewed this often, so a restarted registry learns of the instance again. Default 5000 ms. */
  renewMs?: number;
}

/** A registered instance; `deregister` before draining, so callers stop picking it. */
export interface InstanceRegistration {
  deregister(): Promise<void>;
}

/**
 * Announces this instance to the local registry and keeps the registration fresh. A registry
 * that cannot be reached is logged and retried, never fatal: the function serves regardless.
 */
export function registerInstance({ registryUrl, fn, url, services, log, renewMs = 5000 }: RegisterInstanceOptions): InstanceRegistration {
  const registry = createClient(RegistryService, createConnectTransport({ baseUrl: registryUrl, httpVersion: "1.1" }));
  let instanceId: string | undefined;
  let warned = false;
  const register = async () => {
    try {
      const { instance } = await registry.register({ function: fn, url, services: [...services] }, { timeoutMs: 2000 });
      instanceId = instance?.instanceId;
      if (warned) log.info("registered with the local registry again", { registry: registryUrl });
      warned = false;
    } catch (err) {
      if (!warned) log.warn("cannot register with the local registry; retrying", { registry: registryUrl, error: ConnectError.from(err).message });
      warned = true;
    }
  };
  let pending = register();
  const timer = setInterval(() => (pending = pending.then(register)), renewMs);
  timer.unref();
  return {
    async deregister() {
      clearInterval(timer);
      await pending;
      if (instanceId === undefined) return;
      await registry.deregister({ instanceId }, { timeoutMs: 2000 }).catch((err: unknown) => {
        log.warn("cannot deregister from the local registry", { error: ConnectError.from(err).message });
      });
    },
  };
}

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { InstanceSchema, RegistryService, type Instance } from "@kinetic/contracts/kinetic/registry/v1/registry_pb.js";
import { InstanceTable, type InstanceTableOptions } from "./instance-table.js";

export interface LocalRegistryOptions extends InstanceTableOptions {
  /** Port to listen on, 127.0.0.1 only. Default 0 (any free port). */
  port?: number;
  /** Interval between health checks of every instance (GET <url>/readyz). Default 1000 ms. */
  checkIntervalMs?: number;
  /** A health check slower than this fails. Default 1000 ms. */
  checkTimeoutMs?: number;
  /**
   * The emulator's routing: a function's one stable address (its port on the activator), or
   * undefined for a function the emulator does not run. When set, `Resolve` answers with it,
   * like Kubernetes DNS with a Service's ClusterIP, so every call between functions wakes its
   * target and counts towards its scaling; instances still `Register`, and are accepted and
   * ignored (the activator knows its instances better: it spawned them and sees them exit).
   * Default none: instances register and are resolved themselves.
   */
  route?: (fn: string) => string | undefined;
}

export interface LocalRegistry {
  readonly url: string;
  readonly table: InstanceTable;
  close(): Promise<void>;
}

/**
 * The emulator's registry (`kinetic.registry.v1.RegistryService` over Connect): functions
 * register themselves when they start and deregister when they drain; the registry checks each
 * instance's `/readyz`, answers `Resolve` with healthy instances only, and forgets dead ones.
 * With `route` (what `npm run dev` does) it answers with the activator's address instead.
 */
export async function startLocalRegistry({ port = 0, checkIntervalMs = 1000, checkTimeoutMs = 1000, route, ...table }: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const instances = new InstanceTable(table);
  const routed = (fn: string): Instance | undefined => {
    const url = route?.(fn);
    return url === undefined ? undefined : create(InstanceSchema, { instanceId: `activator-${fn}`, function: fn, url, healthy: true });
  };
  const handler = connectNodeAdapter({
    routes(router) {
      router.service(RegistryService, {
        register(req) {
          if (route) return { instance: create(InstanceSchema, { instanceId: randomUUID(), function: req.function, url: req.url, services: req.services, healthy: true }) };
          return { instance: instances.register(req.function, req.url, req.services) };
        },
        deregister(req) {
          instances.deregister(req.instanceId);
          return {};
        },
        resolve(req) {
          if (route) {
            const instance = routed(req.function);
            if (instance === undefined) throw new ConnectError(`the emulator runs no function "${req.function}"`, Code.NotFound);
            return { instances: [instance] };
          }
          const healthy = instances.healthyOf(req.function);
          if (healthy.length === 0) throw new ConnectError(`no healthy instance of function "${req.function}" is registered`, Code.NotFound);
          return { instances: healthy };
        },
        listInstances: () => ({ instances: instances.all() }),
      });
    },
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const check = async () => {
    await Promise.all(
      instances.all().map(async (instance) => {
        const ok = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(checkTimeoutMs) }).then(
          (res) => res.ok,
          () => false,
        );
        instances.recordCheck(instance.instanceId, ok);
      }),
    );
  };
  let checking = Promise.resolve();
  const timer = setInterval(() => (checking = checking.then(check)), checkIntervalMs);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    table: instances,
    async close() {
      clearInterval(timer);
      await checking;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

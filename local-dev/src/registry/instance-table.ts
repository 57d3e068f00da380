import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { InstanceSchema, type Instance } from "@kinetic/contracts/kinetic/registry/v1/registry_pb.js";

export interface InstanceTableOptions {
  /** Consecutive failed checks before an instance counts as unhealthy. Default 1. */
  unhealthyAfter?: number;
  /** Consecutive failed checks before a (dead) instance is removed. Default 5. */
  removeAfter?: number;
}

/** The registry's state: instances by id, with their health-check history. */
export class InstanceTable {
  private readonly instances = new Map<string, { instance: Instance; failures: number }>();
  private readonly unhealthyAfter: number;
  private readonly removeAfter: number;

  constructor({ unhealthyAfter = 1, removeAfter = 5 }: InstanceTableOptions = {}) {
    this.unhealthyAfter = unhealthyAfter;
    this.removeAfter = removeAfter;
  }

  /** Adds an instance, or refreshes the one already registered at the same URL. */
  register(fn: string, url: string, services: readonly string[]): Instance {
    const existing = [...this.instances.values()].find((e) => e.instance.url === url);
    if (existing) this.instances.delete(existing.instance.instanceId);
    const instance = create(InstanceSchema, {
      instanceId: randomUUID(),
      function: fn,
      url,
      services: [...services],
      healthy: true,
      registerTime: timestampNow(),
    });
    this.instances.set(instance.instanceId, { instance, failures: 0 });
    return instance;
  }

  deregister(instanceId: string): boolean {
    return this.instances.delete(instanceId);
  }

  healthyOf(fn: string): Instance[] {
    return this.all().filter((i) => i.function === fn && i.healthy);
  }

  all(): Instance[] {
    return [...this.instances.values()].map((e) => e.instance);
  }

  /** Records one health check; a dead instance disappears after `removeAfter` failures in a row. */
  recordCheck(instanceId: string, ok: boolean): void {
    const entry = this.instances.get(instanceId);
    if (!entry) return;
    entry.failures = ok ? 0 : entry.failures + 1;
    entry.instance.healthy = entry.failures < this.unhealthyAfter;
    entry.instance.lastCheckTime = timestampNow();
    if (entry.failures >= this.removeAfter) this.instances.delete(instanceId);
  }
}

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { envOverrideStrategy, overrideVariableOf } from "./env-override-strategy.js";
import { kubernetesDnsStrategy } from "./kubernetes-dns-strategy.js";
import { createRegistry, type RegistryStrategy } from "./registry.js";

/** A stand-in for a Consul or etcd strategy: the seam callers never see. */
function catalogueStrategy(entries: Record<string, string>): RegistryStrategy & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    name: "not in the catalogue",
    lookups,
    resolve: async (fn) => {
      lookups.push(fn);
      return entries[fn];
    },
  };
}

describe("registry", () => {
  it("should name the override variable after the function", () => {
    assert.equal(overrideVariableOf("identity"), "KINETIC_IDENTITY_URL");
    assert.equal(overrideVariableOf("user-events"), "KINETIC_USER_EVENTS_URL");
  });

  it("should prefer an explicit override to every other strategy", async () => {
    const catalogue = catalogueStrategy({ identity: "http://catalogue:1" });
    const registry = createRegistry([envOverrideStrategy({ KINETIC_IDENTITY_URL: "http://override:9/" }), catalogue]);
    assert.equal(await registry.resolve("identity"), "http://override:9");
    assert.deepEqual(catalogue.lookups, [], "later strategies are not asked");
  });

  it("should fall through to the next strategy, such as a catalogue added without touching callers", async () => {
    const registry = createRegistry([envOverrideStrategy({}), catalogueStrategy({ auth: "http://10.0.0.7:8080" }), kubernetesDnsStrategy({ env: {}, namespaceFile: "/nonexistent" })]);
    assert.equal(await registry.resolve("auth"), "http://10.0.0.7:8080");
  });

  it("should build Kubernetes DNS names from the namespace variable or the service-account file", async () => {
    assert.equal(await kubernetesDnsStrategy({ env: { KINETIC_NAMESPACE: "prod" } }).resolve("identity"), "http://identity.prod.svc.cluster.local");
    const dir = mkdtempSync(join(tmpdir(), "kinetic-ns-"));
    writeFileSync(join(dir, "namespace"), "staging\n");
    const fromFile = kubernetesDnsStrategy({ env: { KINETIC_CLUSTER_DOMAIN: "k8s.example" }, namespaceFile: join(dir, "namespace") });
    assert.equal(await fromFile.resolve("auth"), "http://auth.staging.svc.k8s.example");
    assert.equal(await kubernetesDnsStrategy({ env: {}, namespaceFile: join(dir, "missing") }).resolve("auth"), undefined);
  });

  it("should say what it tried when no strategy knows the function", async () => {
    const registry = createRegistry([envOverrideStrategy({}), kubernetesDnsStrategy({ env: {}, namespaceFile: "/nonexistent" })]);
    await assert.rejects(registry.resolve("nowhere"), (err: unknown) => {
      const e = ConnectError.from(err);
      assert.equal(e.code, Code.Unavailable);
      assert.match(e.rawMessage, /cannot find function "nowhere": no KINETIC_<NAME>_URL override; not in a Kubernetes cluster/);
      return true;
    });
  });
});

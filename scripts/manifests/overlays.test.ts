import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { createCrdValidator } from "./crd-validator.js";
import { brokerTopicName } from "./eventing-manifests.js";
import { containerImages, kustomizationObjects, kustomizationProblems, type ManifestObject } from "./kustomization-problems.js";
import { revisionTimeoutProblems } from "./revision-timeouts.js";

const knative = fileURLToPath(new URL("../../knative/", import.meta.url));
const environments = readdirSync(join(knative, "overlays")).sort();
const crdDir = fileURLToPath(new URL("crds/", import.meta.url));
const validator = createCrdValidator(readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(crdDir, f), "utf8")));
const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

type Patch = { path?: string; patch?: string; target?: unknown };
type Kustomization = { namespace?: string; patches?: Patch[] };
type Fields = Record<string, any>;

/** The strategic-merge patches of an overlay (objects, not JSON 6902 op lists). */
function mergePatches(env: string): ManifestObject[] {
  const { patches = [] } = parse(readFileSync(join(knative, "overlays", env, "kustomization.yaml"), "utf8")) as Kustomization;
  return patches
    .map((p) => parse(p.patch ?? readFileSync(join(knative, "overlays", env, p.path!), "utf8")) as unknown)
    .filter((p): p is ManifestObject => !Array.isArray(p));
}

/** A field of a base object as an overlay leaves it: the last merge patch setting it wins, else the base value. */
function effective(env: string, kind: string, name: string, path: string[]): unknown {
  const read = (object: unknown) => path.reduce<unknown>((node, key) => (node as Fields | undefined)?.[key], object);
  const patched = mergePatches(env).filter((p) => p.kind === kind && p.metadata.name === name).map(read).filter((v) => v !== undefined);
  return patched.at(-1) ?? read(kustomizationObjects(join(knative, "base")).find((o) => o.kind === kind && o.metadata.name === name));
}

/** Every object `kubectl kustomize` builds for an environment. */
function build(env: string): Fields[] {
  const yaml = execFileSync("kubectl", ["kustomize", join(knative, "overlays", env)], { encoding: "utf8" });
  return parseAllDocuments(yaml).map((d) => d.toJS() as Fields);
}

describe("knative/overlays", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kinetic-overlays-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("should have a dev and a prod overlay", () => {
    assert.deepEqual(environments, ["dev", "prod"]);
  });

  for (const env of environments) {
    describe(env, () => {
      it("should name only resources that exist, patch only objects the base has, and rewrite every image", () => {
        assert.deepEqual(kustomizationProblems(join(knative, "overlays", env)), []);
      });

      it("should keep the values that depend on the namespace in step with it", () => {
        const { namespace = "default" } = parse(readFileSync(join(knative, "overlays", env, "kustomization.yaml"), "utf8")) as Kustomization;
        assert.equal(effective(env, "Broker", "kinetic", ["spec", "config", "namespace"]), namespace, "the Broker's config is in its namespace");
        assert.equal(effective(env, "ConfigMap", "kinetic-platform", ["data", "KINETIC_EVENTS_TOPIC"]), brokerTopicName(namespace, "kinetic"), "functions publish to the broker's topic");
      });

      it("should give the broker, the dead-letter sink and the functions the same Kafka", () => {
        const broker = effective(env, "ConfigMap", "kinetic-kafka-broker-config", ["data", "bootstrap.servers"]);
        assert.equal((effective(env, "KafkaSink", "kinetic-dead-letters", ["spec", "bootstrapServers"]) as string[]).join(","), broker);
        assert.equal(effective(env, "ConfigMap", "kinetic-platform", ["data", "KAFKA_BROKERS"]), broker);
      });

      it("should leave the runtime's timeouts and the Revision's derived from them to the generator", () => {
        const text = readFileSync(join(knative, "overlays", env, "kustomization.yaml"), "utf8");
        assert.doesNotMatch(text, /KINETIC_MAX_TIMEOUT_MS|KINETIC_DRAIN_TIMEOUT_MS|timeoutSeconds|TimeoutSeconds/);
      });

      it("should build with kustomize into objects the CRDs and Knative admit, consistent with one another", { skip: !kubectl && "kubectl (with kustomize) is not installed" }, () => {
        const objects = build(env);
        const { namespace = "default" } = parse(readFileSync(join(knative, "overlays", env, "kustomization.yaml"), "utf8")) as Kustomization;
        for (const object of objects) {
          assert.deepEqual(validator.validate(object), [], `${object["kind"]} ${object["metadata"].name}`);
          assert.equal(object["metadata"].namespace, namespace);
        }
        const platform = objects.find((o) => o["kind"] === "ConfigMap" && o["metadata"].name === "kinetic-platform")!;
        assert.equal(platform["data"].KINETIC_EVENTS_TOPIC, brokerTopicName(namespace, "kinetic"));
        for (const service of objects.filter((o) => o["kind"] === "Service")) {
          const spec = service["spec"].template.spec;
          const vars = Object.fromEntries((spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
          const runtime = { maxRequestMs: Number(vars["KINETIC_MAX_TIMEOUT_MS"]), drainMs: Number(vars["KINETIC_DRAIN_TIMEOUT_MS"]) };
          assert.deepEqual(revisionTimeoutProblems(spec, runtime), [], service["metadata"].name);
          assert.ok(containerImages(service as ManifestObject).every((image) => image.includes(".")), `${service["metadata"].name} runs a registry image, not a placeholder`);
        }
      });
    });
  }

  it("should keep auth warm in prod and debug-log in dev", { skip: !kubectl && "kubectl (with kustomize) is not installed" }, () => {
    const minScale = (objects: Fields[], name: string) =>
      objects.find((o) => o["kind"] === "Service" && o["metadata"].name === name)?.["spec"].template.metadata.annotations["autoscaling.knative.dev/min-scale"];
    const prod = build("prod");
    assert.equal(minScale(prod, "auth"), "1");
    assert.equal(minScale(prod, "identity"), "0");
    const dev = build("dev");
    assert.equal(dev.find((o) => o["metadata"].name === "kinetic-platform")?.["data"].LOG_LEVEL, "debug");
  });

  it("should find what a broken overlay points at that does not exist", () => {
    const base = join(scratch, "base");
    cpSync(join(knative, "base"), base, { recursive: true });
    const overlay = join(scratch, "overlays", "broken");
    mkdirSync(overlay, { recursive: true });
    writeFileSync(
      join(overlay, "kustomization.yaml"),
      [
        "resources:",
        "  - ../../base",
        "images:",
        "  - name: kinetic/audit",
        "    newTag: x",
        "  - name: kinetic/mailer",
        "    newTag: x",
        "patches:",
        "  - path: missing.yaml",
        "  - patch: |-",
        "      apiVersion: serving.knative.dev/v1",
        "      kind: Service",
        "      metadata:",
        "        name: mailer",
        "  - target:",
        "      kind: Service",
        "      name: auth",
        "    patch: |-",
        "      - op: replace",
        "        path: /spec/template/spec/containers/0/resourcez",
        "        value: {}",
        "      - op: add",
        "        path: /spec/template/spec/volumes/0",
        "        value: {}",
        "  - target:",
        "      kind: Deployment",
        "    patch: |-",
        "      - op: remove",
        "        path: /spec",
        "",
      ].join("\n"),
    );
    const where = "overlays/broken/kustomization.yaml";
    assert.deepEqual(kustomizationProblems(overlay, scratch), [
      `${where} patches[0]: missing.yaml does not exist`,
      `${where} patches[1]: no resource is serving.knative.dev/v1 Service mailer`,
      `${where} patches[2] on Service/auth: replace /spec/template/spec/containers/0/resourcez: no such field`,
      `${where} patches[2] on Service/auth: add /spec/template/spec/volumes/0: its parent does not exist`,
      `${where} patches[3]: the JSON 6902 patch's target {"kind":"Deployment"} matches no resource`,
      `${where} images: kinetic/mailer is no container's image`,
      `${where} images: nothing rewrites kinetic/auth`,
      `${where} images: nothing rewrites kinetic/identity`,
    ]);
    writeFileSync(join(overlay, "kustomization.yaml"), "resources:\n  - ../../bass\n");
    assert.deepEqual(kustomizationProblems(overlay, scratch), [`${where}: resource ../../bass does not exist`]);
  });
});

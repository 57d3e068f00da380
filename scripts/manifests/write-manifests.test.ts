import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { loadDeclarations } from "../gen-function-directory.js";
import { createCrdValidator } from "./crd-validator.js";
import { generatedHeader } from "./manifest-files.js";
import { baseManifestFiles, baseManifestsDir, readManifestFiles, readManifestTree, writeManifests, writeManifestTree } from "./write-manifests.js";

const crdDir = fileURLToPath(new URL("crds/", import.meta.url));
const validator = createCrdValidator(readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(crdDir, f), "utf8")));
const readme = readFileSync(fileURLToPath(new URL("../../knative/README.md", import.meta.url)), "utf8");
const regenerate = "run `npm run manifests`";

describe("generated manifests in knative/base", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kinetic-manifests-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("should have committed exactly what write-manifests generates from the declarations", async () => {
    const fresh = baseManifestFiles(await loadDeclarations());
    const committed = readManifestTree(baseManifestsDir);
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), `the same files: ${regenerate}`);
    for (const [file, text] of fresh) assert.equal(committed.get(file), text, `knative/base/${file} is stale: ${regenerate}`);
  });

  it("should hold a Knative Service for every function and a kustomization listing every other file", async () => {
    const files = readManifestTree(baseManifestsDir);
    for (const fn of await loadDeclarations()) assert.ok(files.has(`serving/service-${fn.name}.yaml`), fn.name);
    const kustomization = parse(files.get("kustomization.yaml")!) as { resources: string[] };
    assert.deepEqual(kustomization.resources, [...files.keys()].filter((f) => f !== "kustomization.yaml"));
  });

  it("should hold only documents the CRD schemas and Knative's admission rules accept, each file marked as generated", () => {
    for (const [file, text] of readManifestTree(baseManifestsDir)) {
      assert.ok(text.startsWith(generatedHeader), `${file} starts with the generated-code header`);
      if (file === "kustomization.yaml") continue;
      for (const document of parseAllDocuments(text)) {
        assert.deepEqual(document.errors, [], `${file} is valid YAML`);
        assert.deepEqual(validator.validate(document.toJS()), [], file);
      }
    }
  });

  it("should mean the same to YAML 1.1 readers (kubectl apply -f), which take an unquoted off for false", () => {
    for (const [file, text] of readManifestTree(baseManifestsDir)) {
      const v12 = parseAllDocuments(text).map((d) => d.toJS() as unknown);
      const v11 = parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS() as unknown);
      assert.deepEqual(v11, v12, file);
    }
  });

  it("should write every folder and remove only the YAML files of functions that are gone", () => {
    mkdirSync(join(scratch, "serving"), { recursive: true });
    writeFileSync(join(scratch, "serving/service-gone.yaml"), "# stale\n");
    writeFileSync(join(scratch, "README.md"), "kept\n");
    const files = new Map([
      ["eventing/broker.yaml", "# b\n"],
      ["serving/service-audit.yaml", "# s\n"],
      ["kustomization.yaml", "# k\n"],
    ]);
    writeManifestTree(scratch, files);
    assert.deepEqual(readManifestTree(scratch), files);
    assert.equal(readFileSync(join(scratch, "README.md"), "utf8"), "kept\n");
    assert.throws(() => writeManifestTree(scratch, new Map([["elsewhere/x.yaml", ""]])), /elsewhere\/x.yaml is outside the generated folders/);
  });

  it("should write a flat folder and remove functions that no longer subscribe", () => {
    const dir = join(scratch, "flat");
    mkdirSync(dir);
    writeFileSync(join(dir, "triggers-gone.yaml"), "# stale\n");
    const files = new Map([["broker.yaml", "# b\n"], ["triggers-audit.yaml", "# t\n"]]);
    writeManifests(dir, files);
    assert.deepEqual(readManifestFiles(dir), files);
  });

  it("should document how to create the Secret of every function, with the keys its Service requires", async () => {
    for (const fn of await loadDeclarations()) {
      const keys = [...(fn.migrations ? ["DATABASE_URL"] : []), ...(fn.redis ? ["REDIS_URL"] : [])];
      const line = readme.replaceAll(/\\\n\s*/g, "").split("\n").find((l) => l.includes(`kubectl create secret generic kinetic-${fn.name} `));
      assert.ok(line, `knative/README.md shows \`kubectl create secret generic kinetic-${fn.name} …\``);
      for (const key of keys) assert.match(line, new RegExp(`--from-literal=${key}=`), `kinetic-${fn.name} needs ${key}`);
    }
  });
});

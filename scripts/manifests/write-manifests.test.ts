import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { loadDeclarations } from "../gen-function-directory.js";
import { createCrdValidator } from "./crd-validator.js";
import { generatedHeader } from "./manifest-files.js";
import { eventingManifestFiles, eventingManifestsDir, readManifestFiles, writeManifests } from "./write-manifests.js";

const crdDir = fileURLToPath(new URL("crds/", import.meta.url));
const validator = createCrdValidator(readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(crdDir, f), "utf8")));
const regenerate = "run `node --conditions=kinetic-source --import tsx scripts/manifests/write-manifests.ts`";

describe("eventing manifests in knative/base/eventing", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kinetic-manifests-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("should have committed exactly what write-manifests generates from the declarations", async () => {
    const fresh = eventingManifestFiles(await loadDeclarations());
    const committed = readManifestFiles(eventingManifestsDir);
    assert.deepEqual([...committed.keys()], [...fresh.keys()], `the same files: ${regenerate}`);
    for (const [file, text] of fresh) assert.equal(committed.get(file), text, `knative/base/eventing/${file} is stale: ${regenerate}`);
  });

  it("should hold only documents the CRD schemas accept, each file marked as generated", () => {
    const files = readManifestFiles(eventingManifestsDir);
    assert.ok(files.has("broker.yaml"));
    for (const [file, text] of files) {
      assert.ok(text.startsWith(generatedHeader), `${file} starts with the generated-code header`);
      for (const document of parseAllDocuments(text)) {
        assert.deepEqual(document.errors, [], `${file} is valid YAML`);
        assert.deepEqual(validator.validate(document.toJS()), [], file);
      }
    }
  });

  it("should write the files and remove those of functions that no longer subscribe", () => {
    writeFileSync(join(scratch, "triggers-gone.yaml"), "# stale\n");
    writeFileSync(join(scratch, "README.md"), "kept\n");
    const files = new Map([["broker.yaml", "# b\n"], ["triggers-audit.yaml", "# t\n"]]);
    writeManifests(scratch, files);
    assert.deepEqual(readManifestFiles(scratch), files);
    assert.equal(readFileSync(join(scratch, "README.md"), "utf8"), "kept\n");
  });
});

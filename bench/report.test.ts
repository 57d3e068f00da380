import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { updateDocSection, writeResults } from "./report.mjs";

describe("writing results", () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), "kinetic-bench-report-"))));
  after(() => rm(dir, { recursive: true, force: true }));

  it("should keep latest.json when told to, and write the dated file either way", async () => {
    await writeResults({ date: "2026-01-01T00:00:00Z", run: "complete" }, dir);
    const dated = await writeResults({ date: "2026-01-02T00:00:00Z", run: "partial" }, dir, { latest: false });
    assert.equal(dated, join(dir, "2026-01-02T00-00-00Z.json"));
    assert.deepEqual((await readdir(dir)).sort(), ["2026-01-01T00-00-00Z.json", "2026-01-02T00-00-00Z.json", "latest.json"]);
    assert.equal(JSON.parse(await readFile(join(dir, "latest.json"), "utf8")).run, "complete");
  });

  it("should add a section at the end of the results, then replace only it, leaving the rest of the document alone", async () => {
    const doc = join(dir, "BENCHMARKS.md");
    const rest = "# Benchmarks\n\n<!-- bench:results:start -->\nfull run\n<!-- bench:results:end -->\n\n## Reading\n";
    await writeFile(doc, rest);
    await updateDocSection(doc, "activator", "\n### Emulator\nfirst");
    const added = await readFile(doc, "utf8");
    assert.equal(added, "# Benchmarks\n\n<!-- bench:results:start -->\nfull run\n<!-- bench:activator:start -->\n### Emulator\nfirst\n<!-- bench:activator:end -->\n<!-- bench:results:end -->\n\n## Reading\n");
    await updateDocSection(doc, "activator", "### Emulator\nsecond");
    assert.equal(await readFile(doc, "utf8"), added.replace("first", "second"));
  });

  it("should refuse a document without a results section", async () => {
    const doc = join(dir, "OTHER.md");
    await writeFile(doc, "# nothing here\n");
    await assert.rejects(updateDocSection(doc, "activator", "x"), /has no <!-- bench:results:end --> marker/);
  });
});

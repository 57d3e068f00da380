import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { profileCases } from "./profile-cases.mjs";
import { handMade } from "./profile-fixture.js";
import { addFastPathRatios, categoryTable, profileSections, profileTable, publishFlameGraphs, topFunctionsTable, type ProfileRow } from "./profile-report.mjs";
import { summarizeProfile } from "./profile-summary.mjs";

const summary = summarizeProfile(handMade, { top: 3 });

const row = (protocol: string, fastPath: "off" | "on", fields: Record<string, unknown> = {}): ProfileRow => ({
  id: `profile:${protocol}:fast-path-${fastPath}`,
  name: `${protocol}-fast-path-${fastPath}`,
  protocol,
  protocolLabel: protocol === "grpc-h2c" ? "gRPC, h2c" : "Connect JSON, HTTP/1.1",
  fastPath,
  tool: protocol === "grpc-h2c" ? "h2load" : "wrk",
  status: "ok",
  requests: 30_000,
  requestsPerSecond: 10_000,
  cpuUsPerRequest: 100,
  sampledUsPerRequest: 90,
  p50Ms: 4,
  p99Ms: 12,
  errors: 0,
  stealPercent: 0,
  otherCores: 0,
  summary,
  svgFile: `bench/results/profiles/x/${protocol}-fast-path-${fastPath}.svg`,
  ...fields,
});

const report = (rows: ProfileRow[]) => ({
  date: "2026-01-01T00:00:00Z",
  environment: { commit: "abc1234", dirty: false },
  settings: { serverCore: 1, loadCore: 0, connections: 50, warmupSeconds: 5, durationSeconds: 10 },
  profile: { rows, notes: { samplingIntervalUs: 1000 }, command: "npm run bench -- --only=profile" },
});

describe("profileCases", () => {
  const ids = (only: string[]) => profileCases(only).map((c) => c.id);

  it("should select every profile, off then on for each protocol, with no --only or --only=profile", () => {
    const all = ["profile:connect-json-h1:fast-path-off", "profile:connect-json-h1:fast-path-on", "profile:grpc-h2c:fast-path-off", "profile:grpc-h2c:fast-path-on"];
    assert.deepEqual(ids([]), all);
    assert.deepEqual(ids(["profile"]), all);
    assert.deepEqual(profileCases(["profile:grpc"]).map((c) => [c.name, c.protocol.protocol, c.fastPath.value]), [
      ["grpc-h2c-fast-path-off", "h2c-grpc", "off"],
      ["grpc-h2c-fast-path-on", "h2c-grpc", "on"],
    ]);
  });

  it("should select none for the other benchmarks' ids", () => {
    assert.deepEqual(ids(["kinetic", "h2c-grpc", "http1-json", "cold-start", "chain", "events", "activator"]), []);
  });
});

describe("addFastPathRatios and profileTable", () => {
  it("should compare each row with its protocol's fast-path-off row", () => {
    const rows = [row("connect-json-h1", "off"), row("connect-json-h1", "on", { requestsPerSecond: 25_000, cpuUsPerRequest: 40 }), row("grpc-h2c", "on")];
    addFastPathRatios(rows);
    assert.deepEqual(rows.map((r) => [r["ratio"], r["cpuRatio"]]), [[1, 1], [2.5, 0.4], [null, null]]);
    const lines = profileTable(rows).split("\n");
    assert.equal(lines[2], "| Connect JSON, HTTP/1.1 | off | wrk | 10,000 |  | 100 |  | 90 | 28.6 | 4.00 | 12.0 | 0 | 0.00 |");
    assert.equal(lines[3], "| Connect JSON, HTTP/1.1 | on | wrk | 25,000 | 2.50× | 40 | 0.40× | 90 | 28.6 | 4.00 | 12.0 | 0 | 0.00 |");
    assert.equal(lines[4], "| gRPC, h2c | on | h2load | 10,000 |  | 100 |  | 90 | 28.6 | 4.00 | 12.0 | 0 | 0.00 |");
  });

  it("should say why a profile is missing", () => {
    const lines = profileTable([row("grpc-h2c", "off", { status: "unavailable", reason: "no correct echo | 20 s" })]).split("\n");
    assert.equal(lines[2], "| gRPC, h2c | off | h2load | not available: no correct echo \\| 20 s |  |  |  |  |  |  |  |  |  |");
  });
});

describe("categoryTable and topFunctionsTable", () => {
  it("should give each category's share per profile, in percent", () => {
    const lines = categoryTable([row("connect-json-h1", "off"), row("connect-json-h1", "on")]).split("\n");
    assert.equal(lines[0], "| Share of busy samples, % | Connect JSON, HTTP/1.1, off | Connect JSON, HTTP/1.1, on |");
    assert.equal(lines[2], "| Kinetic (shared/) | 10.0 | 10.0 |");
    assert.equal(lines[3], "| connect-es, protobuf-es | 40.0 | 40.0 |");
    assert.equal(lines.length, 2 + 7);
  });

  it("should put the top functions of off and on side by side, with where they are", () => {
    const fewer = { ...summary, functions: summary.functions.slice(0, 1) };
    const lines = topFunctionsTable(row("grpc-h2c", "off"), row("grpc-h2c", "on", { summary: fewer })).split("\n");
    assert.equal(lines[0], "| # | fast path off: function | self % | total % | fast path on: function | self % | total % |");
    assert.equal(lines[1], "| ---: | --- | ---: | ---: | --- | ---: | ---: |");
    assert.equal(lines[2], "| 1 | `writev` | 25.0 | 25.0 | `writev` | 25.0 | 25.0 |");
    assert.equal(lines[3], "| 2 | `handle` @connectrpc/connect/dist/esm/h.js:5 | 20.0 | 40.0 |  |  |  |");
    assert.equal(lines.length, 5);
  });
});

describe("profileSections", () => {
  it("should render nothing without profiles", () => {
    assert.deepEqual(profileSections(report([])), []);
    assert.deepEqual(profileSections({ ...report([]), profile: undefined }), []);
  });

  it("should show the run, the table, each flame graph, the categories and the top functions per protocol", () => {
    const rows = [row("connect-json-h1", "off"), row("connect-json-h1", "on"), row("grpc-h2c", "off", { status: "unavailable", reason: "crashed" }), row("grpc-h2c", "on")];
    addFastPathRatios(rows);
    const text = profileSections(report(rows)).join("\n");
    assert.match(text, /_Measured 2026-01-01T00:00:00Z at commit abc1234 with `npm run bench -- --only=profile`\._/);
    assert.match(text, /every 1000 µs/);
    for (const name of ["connect-json-h1-fast-path-off", "connect-json-h1-fast-path-on", "grpc-h2c-fast-path-on"]) {
      assert.ok(text.includes(`(docs/perf/${name}.svg)](docs/perf/${name}.svg)`), name);
    }
    assert.ok(!text.includes("docs/perf/grpc-h2c-fast-path-off.svg"));
    assert.match(text, /\| Share of busy samples, % \| Connect JSON, HTTP\/1\.1, off \| Connect JSON, HTTP\/1\.1, on \| gRPC, h2c, on \|/);
    assert.match(text, /\*\*Connect JSON, HTTP\/1\.1: the functions with the most self time\*\*/);
    assert.match(text, /\| # \| fast path on: function \| self % \| total % \|/);
  });
});

describe("publishFlameGraphs", () => {
  let root: string;
  before(async () => (root = await mkdtemp(join(tmpdir(), "kinetic-bench-profile-report-"))));
  after(() => rm(root, { recursive: true, force: true }));

  it("should copy each profiled row's flame graph to docs/perf under the row's name", async () => {
    const rows = [row("grpc-h2c", "off"), row("grpc-h2c", "on", { status: "unavailable", reason: "crashed" })];
    await mkdir(join(root, "bench/results/profiles/x"), { recursive: true });
    await writeFile(join(root, rows[0]!["svgFile"] as string), "<svg/>");
    assert.deepEqual(await publishFlameGraphs(rows, root), ["docs/perf/grpc-h2c-fast-path-off.svg"]);
    assert.equal(await readFile(join(root, "docs/perf/grpc-h2c-fast-path-off.svg"), "utf8"), "<svg/>");
  });
});

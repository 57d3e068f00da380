import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addActivatorComparisons, activatorSections, coldTable, loadTable, medianRound, memoryTable, spread, summarizeColdStarts, type ActivatorRow } from "./report-activator.mjs";

const cold = (target: string, path: string, firstByteMs: number[], fields: Record<string, unknown> = {}): ActivatorRow => ({
  id: `activator:cold:${target}:${path}`,
  target,
  label: target,
  path,
  pathLabel: path,
  status: "ok",
  ...summarizeColdStarts(firstByteMs.map((v) => ({ firstByteMs: v, otherCores: 0, stealPercent: 0 }))),
  ...fields,
});

const load = (protocol: string, target: string, fields: Record<string, unknown>): ActivatorRow => ({
  id: `activator:load:${protocol}:${target}`,
  protocol,
  protocolLabel: protocol,
  target,
  targetLabel: target,
  tool: "wrk",
  status: "ok",
  errors: 0,
  stealPercent: 0,
  otherCores: 0,
  ...fields,
});

describe("spread and summarizeColdStarts", () => {
  it("should give median, p99 (the slowest of fewer than 100), min and max", () => {
    const values = Array.from({ length: 20 }, (_, i) => 1000 + i * 10).reverse();
    assert.deepEqual(spread(values), { median: 1090, p99: 1190, min: 1000, max: 1190 });
  });

  it("should summarise the activator's spawn → ready record only when every run has it, and average the interference", () => {
    const summary = summarizeColdStarts([
      { firstByteMs: 900, readyMs: 800, otherCores: 0.2, stealPercent: 1 },
      { firstByteMs: 1100, readyMs: 1000, otherCores: 0, stealPercent: 3 },
    ]);
    assert.equal(summary.runs, 2);
    assert.equal(summary.readyMs?.median, 800);
    assert.ok(Math.abs(summary.otherCores - 0.1) < 1e-9);
    assert.equal(summary.stealPercent, 2);
    assert.equal(summarizeColdStarts([{ firstByteMs: 900, otherCores: 0, stealPercent: 0 }]).readyMs, undefined);
  });
});

describe("medianRound", () => {
  it("should keep the round with the median req/s, whole, and list every round's req/s in order", () => {
    const kept = medianRound([
      { requestsPerSecond: 900, p50Ms: 9 },
      { requestsPerSecond: 700, p50Ms: 7 },
      { requestsPerSecond: 800, p50Ms: 8 },
    ]);
    assert.deepEqual(kept, { requestsPerSecond: 800, p50Ms: 8, roundsPerSecond: [900, 700, 800] });
    assert.equal(medianRound([{ requestsPerSecond: 2 }, { requestsPerSecond: 1 }]).requestsPerSecond, 1, "the lower middle of two");
  });
});

describe("addActivatorComparisons", () => {
  it("should compare each activator row with the direct row of the same function or protocol", () => {
    const rows = {
      cold: [cold("echo", "activator", [1200, 1300, 1500]), cold("echo", "direct", [1000, 1100, 1200]), cold("identity", "activator", [2000])],
      load: [
        load("grpc", "direct", { requestsPerSecond: 1000, p50Ms: 10, p99Ms: 40, cpuMsPerRequest: 1 }),
        load("grpc", "entry", { requestsPerSecond: 500, p50Ms: 25, p99Ms: 30, cpuMsPerRequest: 2.5 }),
        load("connect-json", "entry", { requestsPerSecond: 800, p50Ms: 5, p99Ms: 9, cpuMsPerRequest: 1 }),
      ],
    };
    addActivatorComparisons(rows);
    assert.deepEqual(rows.cold[0]!["addedMs"], { median: 200, p99: 300 });
    assert.ok(Math.abs((rows.cold[0]!["ratio"] as number) - 1300 / 1100) < 1e-9);
    assert.equal(rows.cold[1]!["addedMs"], undefined, "the baseline compares with nothing");
    assert.equal(rows.cold[2]!["addedMs"], null, "identity ran only through the activator");
    assert.equal(rows.load[1]!["ratio"], 0.5);
    assert.equal(rows.load[1]!["addedP50Ms"], 15);
    assert.equal(rows.load[1]!["addedP99Ms"], -10);
    assert.equal(rows.load[1]!["addedCpuMs"], 1.5);
    assert.equal(rows.load[2]!["ratio"], null, "no direct row for Connect JSON");
  });
});

describe("the tables", () => {
  it("should show the activator's share of a cold start, signed, and why a row did not run", () => {
    const rows = [cold("echo", "activator", [1200, 1300, 1500], { readyMs: spread([900]) }), cold("echo", "direct", [1000, 1100, 1600]), { ...cold("identity", "activator", [1]), status: "unavailable" as const, reason: "no | Postgres" }];
    addActivatorComparisons({ cold: rows });
    const [, , activator, direct, unavailable] = coldTable(rows).split("\n");
    assert.match(activator!, /\| \+200\.0 \/ −100\.0 \(1\.18×\) \| 900\.0 \|/);
    assert.match(direct!, /\| baseline \| — \|/);
    assert.match(unavailable!, /not available: no \\\| Postgres/);
  });

  it("should mark errors, leave the added latency of the direct row empty and split the CPU between emulator and instance", () => {
    const rows = [
      load("grpc", "direct", { requestsPerSecond: 1000, p50Ms: 10, p99Ms: 40, cpuMsPerRequest: 1, emulatorCpuShare: 0.1 }),
      load("grpc", "entry", { requestsPerSecond: 500, p50Ms: 25, p99Ms: 30, cpuMsPerRequest: 2.5, emulatorCpuShare: 0.6, errors: 3 }),
    ];
    addActivatorComparisons({ load: rows });
    const [, , direct, entry] = loadTable(rows).split("\n");
    assert.match(direct!, /\| 1\.00× \|  \| 0\.10 \+ 0\.90 \|/);
    assert.match(entry!, /\| 500 \(3 errors\) \| 25\.0 \| 30\.0 \| 0\.50× \| \+15\.0 \/ −10\.0 \| 1\.50 \+ 1\.00 \|/);
  });

  it("should list every process at zero and warm, their sums, and the services found running apart", () => {
    const emulator = { pid: 1, ppid: 0, comm: "node", role: "emulator", rssMiB: 160, pssMiB: 115 };
    const memory: ActivatorRow = {
      id: "activator:memory",
      status: "ok",
      states: [
        { state: "at zero", processes: [emulator], total: { rssMiB: 160, pssMiB: 115 }, external: [{ service: "Redis", processes: 1, rssMiB: 7, pssMiB: 5 }] },
        {
          state: "warm",
          processes: [emulator, { pid: 2, ppid: 1, comm: "node", role: "instance identity#1", rssMiB: 140, pssMiB: 95 }],
          total: { rssMiB: 300, pssMiB: 210 },
          external: [{ service: "Postgres backends", processes: 4, rssMiB: 80, pssMiB: 12 }],
        },
      ],
    };
    const lines = memoryTable(memory).split("\n");
    assert.equal(lines[2], "| emulator | 160.0 / 115.0 | 160.0 / 115.0 |");
    assert.equal(lines[3], "| instance identity#1 | — | 140.0 / 95.0 |");
    assert.equal(lines[4], "| **the platform: 1 processes at zero, 2 warm** | **160.0 / 115.0** | **300.0 / 210.0** |");
    assert.equal(lines[5], "| not counted, found running: Redis | 7.0 / 5.0 | — |");
    assert.equal(lines[6], "| not counted, found running: Postgres backends | — | 80.0 / 12.0 (4 processes) |");
  });
});

describe("activatorSections", () => {
  const report = { date: "2026-11-24T00:00:00Z", environment: { commit: "abc1234" }, settings: { serverCore: 1, loadCore: 0 } };

  it("should render nothing when the emulator was not measured", () => {
    assert.deepEqual(activatorSections(report), []);
    assert.deepEqual(activatorSections({ ...report, activator: { cold: [], load: [], memory: undefined } }), []);
  });

  it("should say when, at which commit and with which command the section was measured", () => {
    const memory: ActivatorRow = { id: "activator:memory", status: "unavailable", reason: "no Postgres" };
    const text = activatorSections({ ...report, activator: { cold: [], load: [], memory, command: "npm run bench -- --only=activator" } }).join("\n");
    assert.match(text, /_Measured 2026-11-24T00:00:00Z at commit abc1234 with `npm run bench -- --only=activator`\._/);
    assert.match(text, /not available: no Postgres/);
  });
});

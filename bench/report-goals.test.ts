import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goalResults, goalSections } from "./report-goals.mjs";

const rate = (id: string, roundsPerSecond: number[]) => ({
  id,
  status: "ok",
  requestsPerSecond: roundsPerSecond.toSorted((a, b) => a - b)[Math.floor((roundsPerSecond.length - 1) / 2)],
  roundsPerSecond,
});
const start = (id: string, median: number) => ({ id, status: "ok", startMs: { median } });

describe("goalResults", () => {
  it("should pair the rounds: a machine that slows down between rounds does not move the ratios", () => {
    const report = {
      // The machine runs at full speed in round 1, half speed in round 2, a third in round 3.
      throughput: [
        rate("raw-http:http1-json", [20_000, 10_000, 6_000]),
        rate("kinetic:http1-json", [11_000, 5_500, 3_300]),
        rate("kinetic:http1-proto", [10_000, 6_000, 3_000]),
        rate("kinetic:h2c-grpc", [8_000, 4_000, 2_400]),
        rate("grpc-js:h2c-grpc", [8_500, 3_800, 2_400]),
      ],
      coldStart: [start("raw-http:cold-start", 100), start("kinetic-traced:cold-start", 260)],
    };
    const byId = Object.fromEntries(goalResults(report).map((r) => [r.goal.id, r]));
    assert.equal(byId.P1!.ratio, 0.55);
    assert.deepEqual([byId.P1!.min, byId.P1!.max, byId.P1!.met], [0.55, 0.55, true]);
    // Medians of rates would give 5,500 ÷ 10,000 too, but per-round: 8,000/8,500, 4,000/3,800, 1.
    assert.equal(byId.P2!.ratio, 1);
    assert.equal(byId.P2!.met, true);
    assert.ok(Math.abs(byId.P2!.min! - 8_000 / 8_500) < 1e-12);
    assert.equal(byId.P3!.ratio, 2.6);
    assert.equal(byId.P3!.met, false, "a cold start above 2.5× misses P3");
    assert.equal(byId.binary!.met, false, "binary at 10,000/11,000 in the median round is slower than JSON");
    assert.ok(Math.abs(byId.binary!.ratio! - 10_000 / 11_000) < 1e-12);
  });

  it("should divide the rates when the rows were measured once, and name what a run did not measure", () => {
    const report = { throughput: [rate("raw-http:http1-json", [20_000]), rate("kinetic:http1-json", [9_000])], coldStart: [] };
    const [p1, p2, p3] = goalResults(report);
    assert.deepEqual([p1!.ratio, p1!.min, p1!.met], [0.45, undefined, false]);
    assert.equal(p2!.missing, "kinetic:h2c-grpc");
    assert.equal(p3!.missing, "kinetic-traced:cold-start");
    const section = goalSections(report).join("\n");
    assert.match(section, /\| P1 \| Connect JSON over HTTP\/1\.1, Kinetic ÷ raw node:http \| ≥ 0\.50× \| 0\.45× \| \*\*not met\*\* \|/);
    assert.match(section, /\| P2 \| .* \| not measured \|/);
  });

  it("should leave out a row that failed, and write nothing for a run that measured no goal", () => {
    const failed = { id: "kinetic:http1-json", status: "unavailable", reason: "no build" };
    assert.equal(goalResults({ throughput: [rate("raw-http:http1-json", [1]), failed], coldStart: [] })[0]!.missing, "kinetic:http1-json");
    assert.deepEqual(goalSections({ throughput: [rate("faas-js:http1-json", [1])], coldStart: [] }), []);
  });
});

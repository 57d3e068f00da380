import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { benchOptionsFromArgs, isCompleteRun } from "./options.mjs";

describe("benchOptionsFromArgs: the emulator benchmark", () => {
  it("should run 20 cold starts through the activator, 3 when quick, and take the flag over the environment", () => {
    assert.equal(benchOptionsFromArgs([], {}).activatorColdRuns, 20);
    assert.equal(benchOptionsFromArgs(["--quick"], {}).activatorColdRuns, 3);
    assert.equal(benchOptionsFromArgs([], { BENCH_ACTIVATOR_COLD_RUNS: "7" }).activatorColdRuns, 7);
    assert.equal(benchOptionsFromArgs(["--activator-cold-runs=9"], { BENCH_ACTIVATOR_COLD_RUNS: "7" }).activatorColdRuns, 9);
    assert.throws(() => benchOptionsFromArgs(["--activator-cold-runs=0"], {}), /activator-cold-runs must be an integer >= 1/);
    assert.equal(benchOptionsFromArgs(["--no-activator"], {}).activator, false);
  });
});

describe("benchOptionsFromArgs: the profiles", () => {
  it("should take the profiles by default, skip them with --no-profile, and accept --only=profile", () => {
    assert.equal(benchOptionsFromArgs([], {}).profile, true);
    assert.equal(benchOptionsFromArgs(["--no-profile"], {}).profile, false);
    assert.deepEqual(benchOptionsFromArgs(["--only=profile", "--quick", "--update-doc"], {}).only, ["profile"]);
    assert.throws(() => benchOptionsFromArgs(["--profile"], {}), /unknown flag --profile/);
  });
});

describe("isCompleteRun", () => {
  it("should hold only for a run of everything at full length", () => {
    assert.equal(isCompleteRun(benchOptionsFromArgs([], {})), true);
    assert.equal(isCompleteRun(benchOptionsFromArgs(["--rounds=5", "--update-doc"], {})), true);
    for (const partial of [["--only=activator"], ["--quick"], ["--no-events"], ["--no-activator"], ["--no-chain"], ["--no-cold-start"], ["--no-profile"], ["--only=profile"]]) {
      assert.equal(isCompleteRun(benchOptionsFromArgs(partial, {})), false, partial.join(" "));
    }
  });
});

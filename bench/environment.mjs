// The machine and tool versions a run was measured with, recorded in the results.
import { execFileSync } from "node:child_process";
import { cpus, release, totalmem } from "node:os";
import { toolVersion } from "./tools.mjs";

function gitCommit(cwd) {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

/** True when the work tree differs from the commit (the figures are of uncommitted code). */
function gitDirty(cwd) {
  try {
    return execFileSync("git", ["status", "--porcelain"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
  } catch {
    return false;
  }
}

/** Node, CPU, memory, kernel, load tools and commit of this run (`dirty`: with uncommitted changes). */
export function describeEnvironment(cwd) {
  const cpuList = cpus();
  return {
    node: process.version,
    cpuModel: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${process.platform} ${release()}`,
    wrk: toolVersion("wrk", ["-v"]).replace(/ Copyright.*/, ""),
    h2load: toolVersion("h2load", ["--version"]),
    commit: gitCommit(cwd),
    dirty: gitDirty(cwd),
  };
}

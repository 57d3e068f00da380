// Compiles the packages the servers import (proto/ for the contracts, shared/ for the Kinetic
// runtime and its launcher, identity and auth for the real chain) to dist/, as `npm run build` would.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/**
 * Runs `tsc -b` for each project; resolves `{ [name]: undefined | reason }`, a reason being
 * the first compiler error when the project does not compile.
 */
export function buildDist(cwd) {
  const projects = {
    proto: "proto/tsconfig.build.json",
    shared: "shared/tsconfig.build.json",
    identity: "functions/identity/tsconfig.build.json",
    auth: "functions/auth/tsconfig.build.json",
  };
  const failures = {};
  for (const [name, config] of Object.entries(projects)) {
    const result = spawnSync(process.execPath, [tsc, "-b", config], { cwd, encoding: "utf8" });
    if (result.status !== 0) {
      const firstError = `${result.stdout}${result.stderr}`.split("\n").find((l) => l.includes("error")) ?? "tsc failed";
      failures[name] = `${config.replace("tsconfig.build.json", "")} does not compile: ${firstError.trim()}`;
    }
  }
  return failures;
}

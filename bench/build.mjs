// Compiles the packages the servers import (proto/ for the contracts, shared/ for the Kinetic
// runtime and its launcher, identity and auth for the real chain) to dist/, as `npm run build` would,
// and bundles the echo fixture as `npm run bundle` bundles a function for its image
// (dist/functions/echo/: what the Kinetic cold-start rows run).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** The production bundle of the echo fixture, relative to the repository root. */
export const echoBundle = "dist/functions/echo/index.mjs";

/**
 * Runs `tsc -b` for each project, then `npm run bundle` for the echo fixture; resolves
 * `{ [name]: undefined | reason }` (names: the projects and "bundle"), a reason being the first
 * error line when that step failed.
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
  const bundle = spawnSync(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "scripts/bundle/main.ts", "shared/src/testing/echo-function.ts"], { cwd, encoding: "utf8" });
  if (bundle.status !== 0) {
    const firstError = `${bundle.stderr}${bundle.stdout}`.split("\n").find((l) => /error/i.test(l)) ?? "npm run bundle failed";
    failures.bundle = `the echo fixture does not bundle: ${firstError.trim()}`;
  }
  return failures;
}

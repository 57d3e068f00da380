// The external programs the harness drives, and how to get them on Debian.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const required = [
  { command: "wrk", aptPackage: "wrk", why: "HTTP/1.1 load", loadTool: true },
  { command: "h2load", aptPackage: "nghttp2-client", why: "h2c load", loadTool: true },
  { command: "taskset", aptPackage: "util-linux", why: "pinning to a core" },
];

function installed(command) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The required programs that are not on PATH; wrk and h2load only when `loadTools` (the throughput cases need them). */
export function missingTools({ loadTools = true } = {}) {
  return required.filter((tool) => (loadTools || !tool.loadTool) && !installed(tool.command));
}

/** Explains what to install, naming the apt packages. */
export function describeMissing(missing) {
  const lines = missing.map((t) => `  ${t.command} (${t.why}): apt package ${t.aptPackage}`);
  const packages = missing.map((t) => t.aptPackage).join(" ");
  return `missing load tools:\n${lines.join("\n")}\ninstall them with:\n  apt-get update && apt-get install -y ${packages}\nor run: npm run bench -- --install`;
}

/** Runs apt-get for the missing programs; returns true when all are present afterwards. */
export function installTools(missing) {
  const packages = missing.map((t) => t.aptPackage);
  const run = (args) => spawnSync("apt-get", args, { stdio: "inherit" }).status === 0;
  return run(["update"]) && run(["install", "-y", ...packages]) && missing.every((t) => installed(t.command));
}

/** First line of `command --version`-like output, for the results' environment ("<command> not installed" when absent). */
export function toolVersion(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) return `${command} not installed`;
  return `${result.stdout}${result.stderr}`.trim().split("\n")[0] ?? "unknown";
}

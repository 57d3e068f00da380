// Starts a server in a fresh `node` process pinned to the server core, and waits until it
// answers a correct echo.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { waitForEcho } from "./probe.mjs";

/** The core servers run on; load generators and the harness use the other one. */
export const serverCore = 1;
export const loadCore = 0;

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The line of a crashed server's stderr that best says why (its first error line). */
function reasonFrom(stderr, fallback) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /error|cannot|not found/i.test(l)) ?? lines.at(-1) ?? fallback;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/**
 * Spawns `node ...args` in `cwd` with PORT set, pinned with taskset, and
 * resolves once `protocol` gets a correct echo from `path`. Resolves `{ pid, port, readyMs,
 * stop }`; rejects with a one-line reason when the process dies or stays silent.
 */
export async function startServer({ args, env = {}, protocol, path, cwd, timeoutMs = 20_000 }) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn("taskset", ["-c", String(serverCore), process.execPath, ...args], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let exit;
  exited.then((e) => (exit = e));
  try {
    await waitForEcho(protocol, port, path, { timeoutMs, aborted: () => exit !== undefined });
  } catch (error) {
    const silent = exit === undefined;
    if (silent) child.kill("SIGKILL");
    const status = await exited;
    if (silent) throw new Error(`no correct echo within ${timeoutMs} ms: ${error.message}`);
    throw new Error(reasonFrom(stderr, `exited with ${status.code ?? status.signal}`));
  }
  const readyMs = performance.now() - started;
  /** Stops the server: SIGTERM, then SIGKILL after `graceMs`. */
  const stop = async (graceMs = 2000) => {
    if (exit !== undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { pid: child.pid, port, readyMs, stop };
}

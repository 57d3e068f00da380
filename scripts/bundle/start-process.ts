import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A function's process, started the way its container starts it. Test and measurement helper. */
export interface StartedProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`, from the "serving" log line. */
  readonly url: string;
  /** Every JSON log line so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
  /** Milliseconds from spawning to the "serving" line. */
  readonly servingMs: number;
}

export interface StartProcessOptions {
  /** The program, e.g. `process.execPath`. Required. */
  command: string;
  /** Its arguments, e.g. `["index.mjs"]`. Required. */
  args: readonly string[];
  /** Working directory. Required. */
  cwd: string;
  /** The whole environment: nothing of the caller's is inherited. Required. */
  env: Record<string, string>;
  /** How long to wait for the "serving" line. Default 60000 ms (two busy cores). */
  timeoutMs?: number;
}

/**
 * Spawns a function's process with exactly `env` (a container inherits nothing either) and
 * resolves once it logs "serving"; rejects with its stderr when it exits first or stays silent
 * past `timeoutMs` (then it is killed).
 */
export function startProcess({ command, args, cwd, env, timeoutMs = 60_000 }: StartProcessOptions): Promise<StartedProcess> {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not log "serving" within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry["msg"] === "serving") {
        clearTimeout(timer);
        const servingMs = performance.now() - started;
        resolve({ child, url: `http://127.0.0.1:${String(entry["port"])}`, logs, exited, servingMs });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited (${code}) before serving: ${stderr}`));
    });
  });
}

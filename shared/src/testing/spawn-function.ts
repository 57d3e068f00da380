import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** A function running in its own process, as in its container. */
export interface SpawnedFunction {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly port: number;
  /** Parsed stdout lines so far. */
  readonly logs: Record<string, unknown>[];
  /** Resolves with the exit code (or signal name) once the process ends. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `kinetic-serve <module>` from TypeScript sources in a child process and waits for its
 * "serving" line. `module` is a path relative to the repository root.
 */
export function spawnFunction(module: string, env: Record<string, string> = {}): Promise<SpawnedFunction> {
  const child = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "shared/src/bin/serve.ts", module], {
    cwd: root,
    env: { ...process.env, PORT: "0", ...env },
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(parsed);
      if (parsed["msg"] === "serving") {
        const port = parsed["port"] as number;
        resolve({ child, port, url: `http://127.0.0.1:${port}`, logs, exited });
      }
    });
    void exited.then((code) => reject(new Error(`${module} exited (${code}) before serving: ${stderr}`)));
  });
}

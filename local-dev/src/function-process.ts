import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { LocalFunction } from "./discover-functions.js";

/** A function running as its own process, as Knative runs it in its own container. */
export interface FunctionProcess {
  readonly fn: LocalFunction;
  readonly child: ChildProcess;
  /** Resolves with the port once the function logs that it is serving; rejects if it exits first. */
  readonly serving: Promise<number>;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number>;
}

/**
 * Starts one function from its TypeScript sources and prefixes each line it prints with its
 * name. The environment is the developer's, with PORT set to the function's port.
 */
export function startFunctionProcess(root: string, fn: LocalFunction, print: (line: string) => void): FunctionProcess {
  const child = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "shared/src/bin/serve.ts", fn.module], {
    cwd: root,
    env: { ...process.env, PORT: String(fn.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const label = fn.name.padEnd(10);
  let resolveServing: (port: number) => void;
  const serving = new Promise<number>((resolve) => (resolveServing = resolve));
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      const port = /"msg":"serving".*"port":(\d+)/.exec(line)?.[1];
      if (port !== undefined) resolveServing(Number(port));
      print(`${label}│ ${line}`);
    });
  }
  return {
    fn,
    child,
    exited,
    serving: Promise.race([serving, exited.then((code) => Promise.reject(new Error(`${fn.name} exited with code ${code} before serving`)))]),
  };
}

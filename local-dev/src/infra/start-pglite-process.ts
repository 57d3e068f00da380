import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("./pglite-main.ts", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));

/** An embedded database served by a child process. */
export interface PgliteProcess {
  readonly child: ChildProcess;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Resolves with the exit code once the process has ended; never rejects. */
  readonly exited: Promise<number>;
  /** Asks it to close the database and waits for it to exit; SIGKILL after `timeoutMs` (default 10000). */
  close(timeoutMs?: number): Promise<void>;
}

/** What `pglite-main.ts` is asked to do. */
export type PgliteCommand =
  | { command: "init"; dir: string }
  | { command: "serve"; dataDir: string; schema: string; template?: string | undefined; port?: number | undefined };

/**
 * Runs `pglite-main.ts` in its own process: WebAssembly runs on the thread that calls it, so a
 * database in the emulator's process would stall its proxying, and initdb's heap is only given
 * back when the process ends. The child has its own process group (Ctrl-C in the terminal
 * reaches the emulator, which stops the functions before their databases) and exits when its
 * standard input closes, so it never outlives the emulator. Resolves once it listens (`serve`)
 * or has exited (`init`); rejects with its last output if it fails first.
 *
 * @internal
 */
export async function startPgliteProcess(what: PgliteCommand): Promise<PgliteProcess> {
  const args =
    what.command === "init"
      ? ["init", what.dir]
      : ["serve", "--data-dir", what.dataDir, "--schema", what.schema, "--port", String(what.port ?? 0), ...(what.template ? ["--template", what.template] : [])];
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    cwd: root, // where `tsx` resolves
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const output: string[] = [];
  const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
  let ready: (port: number) => void;
  let failed: (err: Error) => void;
  const started = new Promise<number>((resolve, reject) => ((ready = resolve), (failed = reject)));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (output.push(line) > 20) output.shift();
      const message = parse(line);
      if (message?.["msg"] === "listening") ready(Number(message["port"]));
      if (message?.["msg"] === "failed") failed(new Error(`embedded database: ${String(message["error"])}`));
    });
  }
  void exited.then((code) => (what.command === "init" && code === 0 ? ready(0) : failed(new Error(`embedded database process exited with code ${code}: ${output.join("\n")}`))));
  child.stdin!.on("error", () => undefined); // EPIPE when it has gone already
  const port = await started;
  return {
    child,
    port,
    exited,
    async close(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function parse(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

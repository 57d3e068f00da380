import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface JavaProcessOptions {
  /** The `java` executable. Default `$JAVA_HOME/bin/java`, else "java" from the PATH. */
  java?: string;
  /** Flags before the main class (heap, class path, system properties). Default none. */
  jvmArgs?: string[];
  /** Receives each line the process prints on stdout or stderr. Default: nothing is printed. */
  log?: (line: string) => void;
  /** How many of the last lines to keep for error messages. Default 40. */
  keepLines?: number;
}

/** A running JVM with the lines it printed last, for messages about why it failed. */
export interface JavaProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (128 + signal number when killed by a signal). Never rejects. */
  readonly exited: Promise<number>;
  /** The last lines printed, oldest first. */
  lastLines(): string[];
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

/**
 * Starts `java <jvmArgs> <mainClass> <args>` with its output split into lines. A missing
 * `java` shows as exit code 127 with a line saying so, as a shell would report it.
 */
export function startJavaProcess(mainClass: string, args: string[], options: JavaProcessOptions = {}): JavaProcess {
  const javaHome = process.env["JAVA_HOME"];
  const { java = javaHome ? `${javaHome}/bin/java` : "java", jvmArgs = [], log = () => {}, keepLines = 40 } = options;
  const lines: string[] = [];
  const record = (line: string) => {
    lines.push(line);
    if (lines.length > keepLines) lines.shift();
    log(line);
  };
  const child = spawn(java, [...jvmArgs, mainClass, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", record);
  const exited = new Promise<number>((resolve) => {
    child.once("error", (err: NodeJS.ErrnoException) => {
      record(err.code === "ENOENT" ? `${java} was not found: install Java 17 or newer, or set JAVA_HOME` : err.message);
      resolve(127);
    });
    child.once("close", (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ""] ?? 0)));
  });
  return { child, exited, lastLines: () => [...lines] };
}

/** Runs a JVM to completion; rejects with its last lines when it exits non-zero. */
export async function runJavaProcess(mainClass: string, args: string[], options: JavaProcessOptions = {}): Promise<void> {
  const run = startJavaProcess(mainClass, args, options);
  const code = await run.exited;
  if (code !== 0) throw new Error(`${mainClass} ${args[0] ?? ""} exited with code ${code}:\n${run.lastLines().join("\n")}`);
}

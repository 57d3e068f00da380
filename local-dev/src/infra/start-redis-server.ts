import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { probeRedis } from "./probe-redis.js";

export interface StartRedisServerOptions {
  /** The executable. Default "redis-server" from the PATH. */
  executable?: string;
  /** Port on 127.0.0.1. Default: a free one. */
  port?: number;
  /** Where to keep a snapshot (saved every minute with changes, and at close) and load it from at start. Default: none, nothing is persisted. */
  dataDir?: string | undefined;
  /** Give up when it does not answer PING by then. Default 10000 ms. */
  readyTimeoutMs?: number;
}

/** A redis-server this process started. */
export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The redis-server's own process id. */
  readonly pid: number;
  /** Resolves once the server and its watchdog have exited; never rejects. */
  readonly exited: Promise<void>;
  /** Stops it (saving first when it has a data directory) and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * The server runs under a shell that waits on its own standard input: when that closes, because
 * close() ended it or because this process died however it died, the shell stops the server. So
 * no redis-server outlives `npm run dev`. The shell prints the server's pid first; `$0` is the
 * executable and `$@` its arguments.
 */
const watchdog = '"$0" "$@" & pid=$!; echo "pid $pid"; read _ || true; kill "$pid" 2>/dev/null; wait "$pid"';

/**
 * Starts a private redis-server on 127.0.0.1 and resolves once it answers PING; rejects with its
 * last lines if it exits or stays silent first. Without `dataDir` it saves nothing.
 *
 * @example
 * const redis = await startRedisServer();
 * // REDIS_URL=${redis.url}
 * await redis.close();
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  const { executable = "redis-server", dataDir, readyTimeoutMs = 10_000 } = options;
  const port = options.port ?? (await freePort());
  const persistence = dataDir === undefined ? ["--save", "", "--appendonly", "no"] : ["--dir", dataDir, "--save", "60 1", "--appendonly", "no"];
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "yes", "--daemonize", "no", "--logfile", "", "--loglevel", "warning", ...persistence];
  const shell: ChildProcess = spawn("sh", ["-c", watchdog, executable, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group: Ctrl-C stops the emulator, which stops this after the functions
  });
  shell.stdin!.on("error", () => undefined);
  const lines: string[] = [];
  let pid = 0;
  for (const stream of [shell.stdout!, shell.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      const reported = /^pid (\d+)$/.exec(line);
      if (reported) pid = Number(reported[1]);
      else if (lines.push(line) > 20) lines.shift();
    });
  }
  let gone = false;
  const exited = new Promise<void>((resolve) => shell.once("close", () => resolve()));
  void exited.then(() => (gone = true));
  const stop = async () => {
    shell.stdin!.end();
    const timer = setTimeout(() => (pid > 0 ? process.kill(pid, "SIGKILL") : shell.kill("SIGKILL")), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = performance.now() + readyTimeoutMs;
  for (;;) {
    if (gone) throw new Error(`redis-server exited before answering: ${lines.join("\n") || "no output"}`);
    if (pid > 0 && (await probeRedis("127.0.0.1", port, 500)).state === "redis") break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING on port ${port} within ${readyTimeoutMs} ms: ${lines.join("\n") || "no output"}`);
    }
    await sleep(25);
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid, exited, close: stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

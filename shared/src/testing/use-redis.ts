import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { after, before } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

/** A private `redis-server` that a test may stop and start again on the same port. */
export interface TestRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Kills the server (as a crash would), waiting until its port refuses connections. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, as when it hangs. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

/**
 * Starts a throw-away `redis-server` (from the PATH) on a free port, without persistence, for
 * tests that take Redis down. Stop it in `after`; it is also killed if the test process exits.
 *
 * @example
 * const redis = await createTestRedis();
 * after(() => redis.stop());
 */
export async function createTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const kill = () => child?.kill("SIGKILL");
  process.once("exit", kill);
  const server: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmpdir()];
      child = spawn("redis-server", args, { stdio: "ignore" });
      await waitUntil(port, true);
    },
    async stop() {
      if (!child) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
      child = undefined;
      await waitUntil(port, false);
    },
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
  };
  await server.start();
  return server;
}

/**
 * Registers `before`/`after` hooks of the current suite that start and stop a private Redis;
 * read its fields once the suite runs.
 */
export function useRedis(): TestRedis {
  let redis: TestRedis | undefined;
  before(async () => {
    redis = await createTestRedis();
  });
  after(() => redis?.stop());
  const started = () => {
    if (!redis) throw new Error("the test redis exists only while the suite runs");
    return redis;
  };
  return {
    get port() {
      return started().port;
    },
    get url() {
      return started().url;
    },
    stop: () => started().stop(),
    start: () => started().start(),
    pause: () => started().pause(),
    resume: () => started().resume(),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until the port accepts (`open`) or refuses connections; gives up after 5 s. */
async function waitUntil(port: number, open: boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (accepted === open) return;
    await sleep(25);
  }
  throw new Error(`redis on port ${port} did not ${open ? "start" : "stop"} within 5 s`);
}

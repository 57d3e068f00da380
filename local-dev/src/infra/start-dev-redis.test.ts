import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { closedPortUrl, waitFor } from "@kinetic/runtime/testing";
import { probeRedis } from "./probe-redis.js";
import { startDevRedis } from "./start-dev-redis.js";

const here = fileURLToPath(new URL(".", import.meta.url));

/** True while a process with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends one inline command and resolves with the first line of the reply. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString();
      const lines = reply.split("\r\n");
      // A bulk string ($n) is followed by its value.
      if (lines.length > (reply.startsWith("$") && !reply.startsWith("$-1") ? 2 : 1)) {
        socket.destroy();
        resolve(reply.startsWith("$") && !reply.startsWith("$-1") ? lines[1]! : lines[0]!);
      }
    });
    socket.write(`${line}\r\n`);
  });
}

describe("startDevRedis", () => {
  it("should use the Redis answering on 127.0.0.1:6379 by default", async () => {
    const lines: string[] = [];
    const redis = await startDevRedis({ env: { PATH: process.env["PATH"] }, log: (line) => lines.push(line) });
    assert.equal(redis.kind, "redis");
    assert.deepEqual(redis.env, { REDIS_URL: "redis://127.0.0.1:6379" });
    assert.deepEqual(lines, ["kinetic dev: redis: 127.0.0.1:6379"]);
    await redis.close();
    assert.equal((await probeRedis("127.0.0.1", 6379)).state, "redis", "close leaves a Redis it did not start alone");
  });

  it("should use REDIS_URL without looking further", async () => {
    const redis = await startDevRedis({ env: { REDIS_URL: "redis://127.0.0.1:1/3" }, log: () => undefined });
    assert.equal(redis.kind, "redis");
    assert.deepEqual(redis.env, { REDIS_URL: "redis://127.0.0.1:1/3" });
  });

  it("should start a redis-server that answers PING, and leave no process when closed", async () => {
    const redis = await startDevRedis({ prefer: "redis-server", log: () => undefined });
    assert.equal(redis.kind, "redis-server");
    const port = Number(new URL(redis.env.REDIS_URL!).port);
    assert.notEqual(port, 6379);
    assert.equal(await command(port, "PING"), "+PONG");
    assert.match(redis.message, /redis-server started on 127\.0\.0\.1:\d+ \(nothing persisted\)/);
    const pid = await pidOf(port);
    assert.ok(alive(pid));
    await redis.close();
    assert.equal(alive(pid), false);
    assert.equal((await probeRedis("127.0.0.1", port)).state, "closed");
  });

  it("should find redis-server on the PATH when nothing answers, and keep its data in dataDir", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "kinetic-redis-"));
    const probePort = Number(new URL(await closedPortUrl()).port);
    try {
      const lines: string[] = [];
      const first = await startDevRedis({ env: { PATH: process.env["PATH"] }, probePort, dataDir, log: (line) => lines.push(line) });
      assert.equal(first.kind, "redis-server");
      assert.match(lines[0]!, new RegExp(`redis: .*redis-server started on 127\\.0\\.0\\.1:\\d+ \\(snapshots in ${dataDir}\\)`));
      assert.equal(await command(Number(new URL(first.env.REDIS_URL!).port), "SET kept yes"), "+OK");
      await first.close();
      const second = await startDevRedis({ env: { PATH: process.env["PATH"] }, probePort, dataDir, log: () => undefined });
      assert.equal(await command(Number(new URL(second.env.REDIS_URL!).port), "GET kept"), "yes");
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("should stop its redis-server when the process that started it is killed", async () => {
    const parent = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "--input-type=module", "-e", `
      import { startDevRedis } from ${JSON.stringify(join(here, "start-dev-redis.ts"))};
      const redis = await startDevRedis({ prefer: "redis-server", log: () => undefined });
      console.log(redis.env.REDIS_URL);
      setInterval(() => undefined, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    let port: number;
    let pid: number;
    try {
      const url = await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once("line", resolve));
      port = Number(new URL(url).port);
      pid = await pidOf(port);
      assert.ok(alive(pid));
    } finally {
      parent.kill("SIGKILL");
    }
    await waitFor(async () => (alive(pid) ? undefined : true), 10_000, "the orphaned redis-server to stop");
    assert.equal((await probeRedis("127.0.0.1", port)).state, "closed");
  });

  it("should run without Redis when told, naming what is off", async () => {
    const lines: string[] = [];
    const redis = await startDevRedis({ prefer: "none", log: (line) => lines.push(line) });
    assert.equal(redis.kind, "none");
    assert.deepEqual(redis.env, {});
    assert.equal(lines[0], redis.message);
    assert.match(redis.message, /no Redis \(forced\): auth's login rate limiting is off \(logins are let through\); caches/);
    await redis.close();
  });

  it("should run without Redis when nothing answers and redis-server is not on the PATH, saying why", async () => {
    const probePort = Number(new URL(await closedPortUrl()).port);
    const redis = await startDevRedis({ env: { PATH: "/nonexistent" }, probePort, log: () => undefined });
    assert.equal(redis.kind, "none");
    assert.match(redis.message, new RegExp(`REDIS_URL is unset, nothing answers on 127\\.0\\.0\\.1:${probePort}, no redis-server on the PATH\\)`));
  });
});

/** The pid of the redis-server on `port`, from its own INFO. */
async function pidOf(port: number): Promise<number> {
  const info = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString();
      if (/process_id:\d+\r\n/.test(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.write("INFO server\r\n");
  });
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

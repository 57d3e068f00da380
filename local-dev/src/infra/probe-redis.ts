import { connect } from "node:net";

/**
 * What answers on a port: `redis` (PONG), `closed` (nothing listens), `silent` (no answer in
 * time), `refused` (Redis, but it wants a password or is loading: `reason` says which) or
 * `other` (it spoke, but not Redis).
 */
export type RedisProbeResult = { readonly state: "redis" | "closed" | "silent" | "other" } | { readonly state: "refused"; readonly reason: string };

/**
 * Sends PING to `host:port` over a raw socket, so local-dev needs no Redis client. Never rejects.
 *
 * @example
 * if ((await probeRedis("127.0.0.1", 6379)).state === "redis") console.log("Redis is running");
 */
export function probeRedis(host: string, port: number, timeoutMs = 1000): Promise<RedisProbeResult> {
  return new Promise((resolve) => {
    let received = "";
    const socket = connect({ host, port });
    const finish = (result: RedisProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ state: received === "" ? "silent" : "other" }));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("error", (err: NodeJS.ErrnoException) => finish({ state: err.code === "ECONNREFUSED" ? "closed" : "other" }));
    socket.once("end", () => finish({ state: "other" }));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      const end = received.indexOf("\r\n");
      if (end === -1) return received.length > 512 ? finish({ state: "other" }) : undefined;
      const line = received.slice(0, end);
      if (line === "+PONG") finish({ state: "redis" });
      else if (line.startsWith("-")) finish({ state: "refused", reason: line.slice(1) });
      else finish({ state: "other" });
    });
  });
}

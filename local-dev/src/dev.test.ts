import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createTestDatabase, waitFor } from "@kinetic/runtime/testing";

const root = fileURLToPath(new URL("../../", import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm run dev", () => {
  it("should run every function in its own process, answer on each port, and stop them all on Ctrl-C", async () => {
    const db = await createTestDatabase();
    const dev = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "local-dev/src/index.ts"], {
      cwd: root,
      detached: true, // its own process group, so a failed test can end every function it started
      env: { ...process.env, KINETIC_DEV_PORT: "0", DATABASE_URL: db.url, IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" },
    });
    const lines: string[] = [];
    const exited = new Promise<number | null>((resolve) => dev.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: dev.stdout }).on("line", (line) => {
          lines.push(line);
          if (line === "kinetic dev: ready") resolve();
        });
        void exited.then(() => reject(new Error(`dev exited early:\n${lines.join("\n")}`)));
      });
      const identityUrl = await waitFor(
        () => /^ {2}identity +(http:\/\/127\.0\.0\.1:\d+) /.exec(lines.find((l) => l.startsWith("  identity ")) ?? "")?.[1],
        5000,
        "the ready table to list identity's URL",
      );
      const identity = createClient(IdentityService, createConnectTransport({ baseUrl: identityUrl, httpVersion: "1.1" }));
      const { user } = await identity.createUser({ email: "dev@example.com", displayName: "Dev", password: "password1" });
      assert.equal(user?.email, "dev@example.com");
      const pids = lines.map((l) => /"pid":(\d+)/.exec(l)?.[1]).filter((p): p is string => p !== undefined).map(Number);
      assert.ok(pids.length >= 1, "each function logged its pid");
      dev.kill("SIGINT");
      assert.equal(await exited, 0);
      for (const pid of pids) assert.equal(isAlive(pid), false, `function process ${pid} is gone`);
    } finally {
      if (dev.exitCode === null) process.kill(-dev.pid!, "SIGKILL");
      await db.drop();
    }
  });
});

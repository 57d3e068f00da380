import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createTestDatabase } from "@kinetic/runtime/testing";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("identity in production mode", () => {
  it("should build, run from compiled JavaScript without a TypeScript loader, answer gRPC, and drain on SIGTERM", async () => {
    await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-b", "tsconfig.build.json"], { cwd: root });
    const db = await createTestDatabase();
    const child = spawn(process.execPath, ["shared/dist/bin/serve.js", "identity"], {
      cwd: root,
      env: { PATH: process.env["PATH"], PORT: "0", DATABASE_URL: db.url, NODE_OPTIONS: "" },
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        createInterface({ input: child.stdout }).on("line", (line) => {
          const entry = JSON.parse(line) as { msg: string; port: number };
          if (entry.msg === "serving") resolve(entry.port);
        });
        void exited.then((code) => reject(new Error(`exited with ${code}`)));
      });
      const baseUrl = `http://127.0.0.1:${port}`;
      const sessionManager = new Http2SessionManager(baseUrl);
      const client = createClient(IdentityService, createGrpcTransport({ baseUrl, sessionManager }));
      await assert.rejects(client.getUser({ id: "0190b6f0-0000-7000-8000-000000000000" }), (e: unknown) => ConnectError.from(e).code === Code.NotFound);
      sessionManager.abort();
      assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await db.drop();
    }
  });
});

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { LookupFunction } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createTestDatabase, createTestTopic, waitFor, type TestDatabase } from "@kinetic/runtime/testing";
import type { ActivatorStatus, FunctionStatus } from "./activator/activator-status.js";
import { startDevPlatform, type DevPlatform } from "./dev/start-dev-platform.js";
import { loadEventingManifests } from "./eventing/load-eventing-manifests.js";
import { isProcessAlive } from "./testing/is-process-alive.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fast = { IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" };

/** Every host name is this machine: `identity.localhost` and cluster names reach the activator with their Host intact. */
const loopback = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
  options.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)) as unknown as LookupFunction;

/** A Connect client of the activator's entry port, addressing the function by Host when `host` is given, else by path. */
function clientOf<S extends Parameters<typeof createClient>[0]>(service: S, entry: string, host?: string) {
  const baseUrl = host ? `http://${host}:${new URL(entry).port}` : entry;
  return createClient(service, createConnectTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { lookup: loopback } }));
}

function get(url: string, host?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get(url, { headers: host ? { host } : {} }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.once("end", () => resolve({ status: res.statusCode!, body }));
      })
      .once("error", reject);
  });
}

describe("npm run dev: startDevPlatform", () => {
  let db: TestDatabase;
  let platform: DevPlatform;
  const lines: string[] = [];
  const fn = (name: string): FunctionStatus => platform.status().functions.find((f) => f.name === name)!;
  let userId: string;

  before(async () => {
    db = await createTestDatabase();
    const topic = await createTestTopic("dev-platform", 3);
    // Trigger names are consumer groups: ones of our own, so no other run shares them.
    const suffix = randomBytes(3).toString("hex");
    const { triggers } = loadEventingManifests(join(root, "knative/base/eventing"));
    platform = await startDevPlatform({
      port: 0,
      basePort: 0,
      env: { ...process.env, ...fast, DATABASE_URL: db.url, KINETIC_EVENTS_TOPIC: topic },
      triggers: triggers.map((t) => ({ ...t, metadata: { ...t.metadata, name: `${t.metadata.name}-${suffix}` } })),
      out: { write: (text: string) => lines.push(...text.split("\n").filter((l) => l !== "")) },
      live: false,
    });
  });
  after(async () => {
    const pids = platform.status().functions.flatMap((f) => f.instances.map((i) => i.pid));
    await platform.close();
    for (const pid of pids) assert.equal(isProcessAlive(pid), false, `instance ${pid} is gone`);
    await db.drop();
  });

  it("should start each function on its first request, by path or by Host, and report its cold start", async () => {
    assert.deepEqual(
      platform.status().functions.map((f) => [f.name, f.instances.length]),
      [["audit", 0], ["auth", 0], ["identity", 0]],
      "nothing runs before it is called",
    );
    const [created, jwks] = await Promise.all([
      clientOf(IdentityService, platform.url).createUser({ email: "dev@example.com", displayName: "Dev", password: "password1" }),
      get(`${platform.url}/.well-known/jwks.json`, "auth.localhost"),
    ]);
    userId = created.user!.id;
    assert.equal(created.user?.email, "dev@example.com");
    assert.equal(jwks.status, 200);
    assert.ok((JSON.parse(jwks.body) as { keys: unknown[] }).keys.length > 0);
    const status = JSON.parse((await get(`${platform.url}/_kinetic/status`)).body) as ActivatorStatus;
    for (const name of ["identity", "auth"]) {
      const cold = status.functions.find((f) => f.name === name)!.lastColdStart;
      assert.ok(cold && cold.readyMs > 0 && cold.firstByteMs! >= cold.readyMs, `${name}: ${JSON.stringify(cold)}`);
      assert.ok(lines.includes(`kinetic dev: ${name} scaled 0 → 1 (cold start ${cold.readyMs} ms)`), lines.filter((l) => l.startsWith("kinetic dev")).join("\n"));
    }
  });

  it("should wake audit at zero with identity's event, delivered through the activator", async () => {
    // Nothing calls audit but the event dispatcher.
    const woken = await waitFor(() => fn("audit").lastColdStart, 30_000, "audit woken by the user.created event");
    assert.ok(lines.includes(`kinetic dev: audit scaled 0 → 1 (cold start ${woken.readyMs} ms)`));
    await waitFor(() => (fn("audit").requests > 0 ? true : undefined), 10_000, "the delivery counted by the activator");
    const audit = clientOf(AuditService, platform.url, "audit.default.svc.cluster.local");
    const recorded = await waitFor(async () => (await audit.query({ subject: userId })).events[0], 15_000, "the audit record");
    assert.equal(recorded.type, "kinetic.identity.user.created.v1");
  });

  it("should route by Host and by path to every function, and calls between functions through the activator too", async () => {
    const before = fn("identity").requests;
    const { tokens } = await clientOf(AuthService, platform.url).login({ email: "dev@example.com", password: "password1" });
    assert.ok(tokens?.accessToken);
    assert.ok(fn("identity").requests > before, "auth's VerifyPassword call reached identity through its activator port");
    const { user } = await clientOf(IdentityService, platform.url, "identity.default.svc.cluster.local").getUser({ id: userId });
    assert.equal(user?.email, "dev@example.com");
    const audit = clientOf(AuditService, platform.url);
    const login = await waitFor(async () => (await audit.query({ typePrefix: "kinetic.auth." })).events[0], 15_000, "auth's login event in audit");
    assert.match(login.type, /^kinetic\.auth\.login/);
    const { keys } = JSON.parse((await get(`${platform.urlOf("auth")}/.well-known/jwks.json`)).body) as { keys: unknown[] };
    assert.ok(keys.length > 0, "each function's own port");
  });
});

describe("npm run dev: the process", () => {
  it("should stop every function on Ctrl-C, one still starting included, and leave no process behind", async () => {
    const db = await createTestDatabase();
    const topic = await createTestTopic("dev-process", 1);
    const dev = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "local-dev/src/index.ts"], {
      cwd: root,
      detached: true, // its own process group, so a failed test can end it whatever it started
      env: { ...process.env, ...fast, PORT: "0", KINETIC_DEV_PORT: "0", DATABASE_URL: db.url, KINETIC_EVENTS_TOPIC: topic },
    });
    const lines: string[] = [];
    const exited = new Promise<number | null>((resolve) => dev.once("exit", resolve));
    const pids = () => lines.map((l) => /^kinetic dev: \w+ starting instance \d+ \(pid (\d+)\)$/.exec(l)?.[1]).filter((p): p is string => p !== undefined).map(Number);
    createInterface({ input: dev.stdout }).on("line", (line) => lines.push(line));
    try {
      const entry = await waitFor(() => (lines.includes("kinetic dev: ready") ? /activator +(http:\/\/127\.0\.0\.1:\d+) /.exec(lines.join("\n"))?.[1] : undefined), 60_000, "ready");
      const audit = await get(`${entry}/healthz`, "audit.localhost");
      assert.equal(audit.status, 200, "audit serves");
      void get(`${entry}/healthz`, "identity.localhost").catch(() => undefined);
      await waitFor(() => lines.find((l) => l.startsWith("kinetic dev: identity starting instance 1")), 10_000, "identity starting");
      dev.kill("SIGINT");
      assert.equal(await exited, 0, lines.slice(-20).join("\n"));
      assert.equal(pids().length, 2);
      for (const pid of pids()) assert.equal(isProcessAlive(pid), false, `function process ${pid} is gone`);
    } finally {
      if (dev.exitCode === null) process.kill(-dev.pid!, "SIGKILL");
      for (const pid of pids()) if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
      await db.drop();
    }
  });
});

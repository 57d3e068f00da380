import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { waitFor } from "@kinetic/runtime/testing";
import { startDevPlatform, type DevPlatform } from "./dev/start-dev-platform.js";
import { startInfrastructure } from "./dev/start-infrastructure.js";

/** The developer's environment with no database, Redis or Kafka configured. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" };
  for (const name of ["DATABASE_URL", "REDIS_URL", "KAFKA_BROKERS", "KINETIC_EVENTS_TOPIC", "K_SINK"]) delete env[name];
  return env;
}

describe("npm run dev with nothing installed", () => {
  let dataDir: string;
  let platform: DevPlatform;
  const lines: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "kinetic-dev-embedded-"));
    const env = bareEnv();
    const out = { write: (text: string) => lines.push(...text.split("\n").filter((l) => l !== "")) };
    const infrastructure = await startInfrastructure({ env, embedded: true, dataDir, progress: (line) => out.write(line) });
    platform = await startDevPlatform({ port: 0, basePort: 0, env, infrastructure, out, live: false });
  });
  after(async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("should say what it runs instead: embedded Postgres, no Redis, events in memory", () => {
    const banner = lines.join("\n");
    assert.match(banner, /postgres +embedded PGlite/);
    assert.match(banner, /redis +none \(REDIS_URL=off\)/);
    assert.match(banner, /in memory, NOT durable/);
    assert.equal(platform.infrastructure.kafka, undefined);
    assert.ok(platform.memoryBroker);
  });

  it("should create a user, log in through auth → identity, and record both in audit through the in-memory broker", async () => {
    const transport = createConnectTransport({ baseUrl: platform.url, httpVersion: "1.1" });
    const { user } = await createClient(IdentityService, transport).createUser({ email: "ada@example.com", displayName: "Ada", password: "correct horse" });
    assert.ok(user?.id);
    const { tokens } = await createClient(AuthService, transport).login({ email: "ada@example.com", password: "correct horse" });
    assert.ok(tokens?.accessToken, "auth verified the password with identity, through the activator");
    const audit = createClient(AuditService, transport);
    const types = await waitFor(
      async () => {
        const { events } = await audit.query({ typePrefix: "kinetic." });
        const seen = events.map((e) => e.type).sort();
        return seen.includes("kinetic.identity.user.created.v1") && seen.some((t) => t.startsWith("kinetic.auth.login")) ? seen : undefined;
      },
      60_000,
      "identity's and auth's events in audit",
    );
    assert.ok(types.length >= 2, types.join(", "));
    assert.deepEqual(platform.memoryBroker!.deadLetters(), []);
  });
});

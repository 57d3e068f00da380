import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { create, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { AuditService } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { UserCreatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { cloudEventToHttp, eventTypeOf } from "@kinetic/runtime";
import { startOtlpReceiver, testKafkaBrokers, useDatabase, useRedis, waitFor, type OtlpReceiver } from "@kinetic/runtime/testing";
import { bundleCode, bundleEntry, bundleFunction, optionalExternals, type FunctionBundle } from "./bundle-function.js";
import { parseDockerfile } from "./parse-dockerfile.js";
import { startProcess, type StartedProcess } from "./start-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const names = ["identity", "auth", "audit"] as const;
type Name = (typeof names)[number];

/** The final stage's ENTRYPOINT and ENV: the bundle runs here exactly as in its image. */
const image = (() => {
  const finalStage = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8")).stages.at(-1)!;
  const entrypoint = finalStage.instructions.findLast((i) => i.keyword === "ENTRYPOINT")!.args;
  const env = Object.fromEntries(finalStage.instructions.filter((i) => i.keyword === "ENV").flatMap((i) => i.args.map((a) => a.split("=") as [string, string])));
  return { entrypoint, env };
})();

describe("function bundles, run as their images run them", () => {
  const db = useDatabase();
  const redis = useRedis();
  let out: string;
  let otlp: OtlpReceiver;
  const bundles = new Map<Name, FunctionBundle>();
  const running = new Map<Name, StartedProcess>();
  const sessions: Http2SessionManager[] = [];

  before(async () => {
    out = mkdtempSync(join(tmpdir(), "kinetic-bundle-"));
    for (const name of names) bundles.set(name, await bundleFunction({ name, outDir: join(out, name) }));
    otlp = await startOtlpReceiver();
  });
  after(async () => {
    for (const session of sessions) session.abort();
    for (const process of running.values()) if (process.child.exitCode === null) process.child.kill("SIGKILL");
    await Promise.all([...running.values()].map((p) => p.exited));
    await otlp.close();
    rmSync(out, { recursive: true, force: true });
  });

  /** Starts a bundle from its own directory with nothing but the image's env and `env`. */
  async function start(name: Name, env: Record<string, string>): Promise<StartedProcess> {
    const [command, ...args] = image.entrypoint;
    assert.equal(command, "node");
    const started = await startProcess({
      command: process.execPath,
      args,
      cwd: bundles.get(name)!.directory,
      env: { ...image.env, PORT: "0", DATABASE_URL: db.url, KAFKA_BROKERS: testKafkaBrokers().join(","), ...env },
    });
    running.set(name, started);
    return started;
  }

  /** A client over HTTP/2, as functions and Knative's h2c port use. */
  function transport(url: string, protocol: "grpc" | "connect") {
    const sessionManager = new Http2SessionManager(url);
    sessions.push(sessionManager);
    return protocol === "grpc" ? createGrpcTransport({ baseUrl: url, sessionManager }) : createConnectTransport({ baseUrl: url, httpVersion: "2", sessionManager });
  }

  /** Waits for /readyz, then checks /healthz. */
  async function ready(url: string): Promise<void> {
    await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 30_000, `${url}/readyz`);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  }

  it("should bundle each function into one file that imports only Node.js built-ins (and optional packages), with its loader, code cache and migrations beside it", () => {
    const allowed = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...optionalExternals]);
    for (const [name, bundle] of bundles) {
      assert.deepEqual(readdirSync(bundle.directory).sort(), [bundleCode, `${bundleCode}.cache`, `${bundleCode}.map`, bundleEntry, "migrations"]);
      const sources = readdirSync(join(root, "functions", name, "migrations")).filter((f) => f.endsWith(".sql")).sort();
      assert.deepEqual(readdirSync(join(bundle.directory, "migrations")).sort(), sources);
      const output = Object.entries(bundle.metafile.outputs).find(([path]) => path.endsWith(bundleCode))![1];
      const external = output.imports.filter((i) => i.external && !allowed.has(i.path));
      assert.deepEqual(external, [], `${name} leaves nothing to node_modules`);
    }
    // Nothing above the bundles could lend them a package.
    for (let dir = out; dir !== dirname(dir); dir = dirname(dir)) assert.ok(!existsSync(join(dir, "node_modules")), `${dir}/node_modules`);
  });

  it("should run identity from its directory: migrated, ready, answering gRPC, exporting spans over OTLP", async () => {
    const identity = await start("identity", {
      IDENTITY_SCRYPT_LOG_N: "10",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
    const migrated = identity.logs.find((l) => l["msg"] === "database ready");
    assert.deepEqual(migrated?.["applied"], bundles.get("identity")!.migrations, "the bundled declaration found the copied migrations");
    await ready(identity.url);
    const client = createClient(IdentityService, transport(identity.url, "grpc"));
    const { user } = await client.createUser({ email: `ada-${randomUUID()}@example.com`, displayName: "Ada", password: "correct horse battery" });
    assert.match(user?.id ?? "", /^[0-9a-f-]{36}$/);
    await assert.rejects(client.getUser({ id: "not a uuid" }), (e: unknown) => ConnectError.from(e).code === Code.InvalidArgument);
    // The SDK and the http/protobuf exporter are imported lazily, from inside the bundle.
    await waitFor(() => otlp.requests.find((r) => r.path === "/v1/traces" && r.contentType === "application/x-protobuf"), 20_000, "an OTLP export");
  });

  it("should run auth from its directory: Login through identity (KINETIC_IDENTITY_URL), Redis, the JWKS route", async () => {
    const identity = running.get("identity");
    assert.ok(identity, "identity runs (previous test)");
    const auth = await start("auth", { KINETIC_IDENTITY_URL: identity.url, REDIS_URL: redis.url });
    await ready(auth.url);
    const email = `grace-${randomUUID()}@example.com`;
    await createClient(IdentityService, transport(identity.url, "grpc")).createUser({ email, displayName: "Grace", password: "correct horse battery" });
    const client = createClient(AuthService, transport(auth.url, "connect"));
    const { tokens } = await client.login({ email, password: "correct horse battery" });
    assert.equal(tokens?.tokenType, "Bearer");
    const { claims } = await client.verifyToken({ token: tokens!.accessToken });
    assert.equal(claims?.issuer, "kinetic-auth");
    const jwks = (await (await fetch(`${auth.url}/.well-known/jwks.json`)).json()) as { keys: { kty: string; crv: string }[] };
    assert.deepEqual(jwks.keys.map((k) => [k.kty, k.crv]), [["OKP", "Ed25519"]]);
  });

  it("should run audit from its directory: a delivered CloudEvent is recorded and queried, validation applies", async () => {
    const audit = await start("audit", {});
    await ready(audit.url);
    const subject = randomUUID();
    const { headers, body } = cloudEventToHttp({
      specversion: "1.0",
      id: randomUUID(),
      source: "/functions/identity",
      type: eventTypeOf(UserCreatedSchema),
      subject,
      datacontenttype: "application/json",
      data: new TextEncoder().encode(toJsonString(UserCreatedSchema, create(UserCreatedSchema, { user: { id: subject } }))),
      extensions: {},
    });
    const delivered = await fetch(`${audit.url}/`, { method: "POST", headers, body });
    assert.equal(delivered.status, 202, await delivered.text());
    const client = createClient(AuditService, transport(audit.url, "grpc"));
    const { events } = await client.query({ subject });
    assert.deepEqual(events.map((e) => e.type), ["kinetic.identity.user.created.v1"]);
    await assert.rejects(client.query({ pageSize: 5000 }), (e: unknown) => ConnectError.from(e).code === Code.InvalidArgument && /page_size/.test(String(e)));
  });

  it("should drain and exit 0 on SIGTERM", async () => {
    assert.deepEqual([...running.keys()].sort(), [...names].sort(), "every function ran");
    for (const session of sessions.splice(0)) session.abort();
    for (const process of running.values()) process.child.kill("SIGTERM");
    for (const [name, process] of running) assert.equal(await process.exited, 0, `${name} exit code`);
  });
});

// The real chain: client → auth → identity. Login checks the password with identity's
// VerifyPassword, so Login against VerifyPassword called directly shows what the auth hop adds.
// Both functions run from their dist/ on a fresh database that is dropped afterwards, with Redis
// at 127.0.0.1:6379, and cheap scrypt so hashing does not drown the hop. Import after the build.
import { create, toBinary } from "@bufbuild/protobuf";
import { LoginRequestSchema } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { VerifyPasswordRequestSchema } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import postgres from "postgres";
import { sendOnce } from "./probe.mjs";
import { freePort } from "./server-process.mjs";

const adminUrl = "postgres://postgres@127.0.0.1:5432/postgres";
const launcher = "shared/dist/bin/serve.js";

/** A Connect JSON call over HTTP/1.1, in the shape probe.mjs sends. */
export function jsonCall(message, check) {
  return { tool: "wrk", headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify(message)), check };
}

/** Throws unless the answer is HTTP 200, quoting the start of its body. */
export function expectOk({ status, body }) {
  if (status !== 200) throw new Error(`HTTP ${status}: ${body.toString("utf8", 0, 200)}`);
}

/** Readiness of any function: grpc.health.v1.Health/Check answering SERVING. */
export const healthProbe = {
  path: "/grpc.health.v1.Health/Check",
  protocol: jsonCall({}, ({ status, body }) => {
    expectOk({ status, body });
    if (JSON.parse(body.toString("utf8")).status !== "SERVING") throw new Error(`not serving: ${body.toString("utf8", 0, 200)}`);
  }),
};

/** True when something accepts TCP connections at `host`:`port`. */
function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * The broker named by KAFKA_BROKERS (say, one started with `npm run kafka -- start`) when it
 * accepts connections, else an unused port. Never a broker found by chance: test runs start
 * and stop their own.
 */
async function kafkaOf(env) {
  const [host, port] = (env.KAFKA_BROKERS ?? "").split(",")[0].trim().split(":");
  if (host && (await accepts(host, Number(port)))) return { brokers: env.KAFKA_BROKERS, kafka: `the broker at ${env.KAFKA_BROKERS}: events are relayed to Kafka` };
  const reason = env.KAFKA_BROKERS ? `nothing answers at KAFKA_BROKERS=${env.KAFKA_BROKERS}` : "KAFKA_BROKERS unset";
  return { brokers: `127.0.0.1:${await freePort()}`, kafka: `no broker (${reason}; an unused port instead): events stay in the outbox` };
}

const email = `bench-${randomBytes(4).toString("hex")}@example.com`;
const password = randomBytes(12).toString("base64url");
const credentials = (schema) => Buffer.from(toBinary(schema, create(schema, { email, password })));

/** identity and auth on one database; routes: VerifyPassword on identity, Login on auth. */
export const authDeployment = {
  id: "chain:auth",
  kind: "auth",
  needs: ["shared", "identity", "auth"],
  tracing: false,
  // Calls per second before measuring: well below the ~50 Logins/s one core manages.
  primeRate: 20,
  // Their CPU counts with the functions': every Login also works Postgres and Redis.
  backingServices: ["postgres", "redis-server"],
  processes: [
    { name: "identity", args: [launcher, "identity"], env: { IDENTITY_SCRYPT_LOG_N: "10", IDENTITY_SCRYPT_P: "1" }, probe: healthProbe },
    { name: "auth", args: [launcher, "auth"], env: {}, probe: healthProbe, upstream: "KINETIC_IDENTITY_URL" },
  ],
  routes: [
    {
      id: "chain:identity-verify-password",
      label: "client → identity (VerifyPassword)",
      entry: "identity",
      hops: 0,
      request: { path: "/kinetic.identity.v1.IdentityService/VerifyPassword", contentType: "application/proto", body: credentials(VerifyPasswordRequestSchema) },
    },
    {
      id: "chain:auth-login",
      label: "client → auth → identity (Login)",
      entry: "auth",
      hops: 1,
      base: "chain:identity-verify-password",
      request: { path: "/kinetic.auth.v1.AuthService/Login", contentType: "application/proto", body: credentials(LoginRequestSchema) },
    },
  ],

  /** Creates `kinetic_bench_<hex>` and picks Kafka; resolves `{ env, notes, teardown }`. */
  async setup(env) {
    const database = `kinetic_bench_${randomBytes(6).toString("hex")}`;
    const withAdmin = async (statement) => {
      const admin = postgres(adminUrl, { max: 1, connect_timeout: 10, onnotice: () => undefined });
      try {
        await statement(admin);
      } finally {
        await admin.end({ timeout: 5 });
      }
    };
    await withAdmin((admin) => admin`create database ${admin(database)}`);
    const { brokers, kafka } = await kafkaOf(env);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return {
      env: { LOG_LEVEL: "warn", DATABASE_URL: url.href, KAFKA_BROKERS: brokers },
      notes: { database, kafka },
      teardown: () => withAdmin((admin) => admin`drop database if exists ${admin(database)} with (force)`),
    };
  },

  /** Creates the user the routes log in as, then checks one Login end to end. */
  async prepare(ports) {
    const user = jsonCall({ email, displayName: "bench", password }, expectOk);
    user.check(await sendOnce(user, ports.identity, "/kinetic.identity.v1.IdentityService/CreateUser"));
    const login = jsonCall({ email, password }, expectOk);
    login.check(await sendOnce(login, ports.auth, "/kinetic.auth.v1.AuthService/Login"));
  },
};

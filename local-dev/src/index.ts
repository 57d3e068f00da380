/**
 * `npm run dev`: every function on this machine, each in its own process on its own port, from
 * TypeScript sources. Ctrl-C drains them all and leaves no process behind. (The Knative
 * emulator with an activator, scale to zero and eventing grows here.)
 */
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { discoverFunctions } from "./discover-functions.js";
import { startFunctionProcess, type FunctionProcess } from "./function-process.js";
import { startLocalRegistry } from "./registry/local-registry.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const basePort = Number(process.env["KINETIC_DEV_PORT"] ?? 8081);
const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/kinetic";
const print = (line: string) => process.stdout.write(`${line}\n`);

async function checkPostgres(): Promise<void> {
  const sql = postgres(databaseUrl.replace(/\/[^/]*$/, "/postgres"), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    print(`kinetic dev: Postgres is not reachable at ${new URL(databaseUrl).host} (${(err as Error).message}).`);
    print("Start it, or set DATABASE_URL to a server where this user may create databases and roles.");
    process.exit(1);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

await checkPostgres();
const registry = await startLocalRegistry({ port: Number(process.env["KINETIC_REGISTRY_PORT"] ?? 0) });
process.env["KINETIC_REGISTRY_URL"] = registry.url;
const functions = discoverFunctions(root, basePort);
const processes: FunctionProcess[] = functions.map((fn) => startFunctionProcess(root, fn, print));

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    print("kinetic dev: stopping every function…");
    for (const p of processes) p.child.kill("SIGTERM");
    await Promise.all(processes.map((p) => p.exited));
    await registry.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
for (const p of processes) {
  void p.exited.then((code) => {
    if (!stopping) print(`kinetic dev: ${p.fn.name} exited with code ${code}; the others keep running`);
  });
}

let ports: number[] = [];
try {
  ports = await Promise.all(processes.map((p) => p.serving));
} catch (err) {
  print(`kinetic dev: ${(err as Error).message}`);
  await stop(1);
}
print("");
print("kinetic dev: ready");
print(`  ${"registry".padEnd(12)} ${registry.url}  (kinetic.registry.v1.RegistryService: healthy instances of every function)`);
functions.forEach(({ name }, i) => print(`  ${name.padEnd(12)} http://127.0.0.1:${ports[i]}  (gRPC h2c, gRPC-Web, Connect; GET /healthz)`));
print("");

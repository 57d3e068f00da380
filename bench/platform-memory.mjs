// The emulator's memory: its own process and every process below it (function instances, and
// an embedded database, Redis or Kafka when it started one), each listed, and apart from them
// the services it found running, which other work on the machine shares.
import { readProcesses, totalMemory, treeOf, withMemory } from "./process-tree.mjs";

/** What a process of the emulator's tree is: the emulator itself, a function's instance (`instances`: pid → "identity#1"), or a service it started. */
export function roleOf(p, { rootPid, instances }) {
  if (p.pid === rootPid) return "emulator: activator, registry, dispatcher";
  const instance = instances.get(p.pid);
  if (instance !== undefined) return `instance ${instance}`;
  if (p.comm === "postgres" || /pglite/i.test(p.cmdline)) return "embedded database, started by it";
  if (p.comm === "redis-server") return "Redis, started by it";
  if (p.comm === "java") return "Kafka, started by it";
  return p.comm;
}

/**
 * The services outside the emulator's tree (pids in `treePids`) that it uses: the Postgres
 * backends connected to `database` (its functions' pools), the Kafka broker's JVM and Redis.
 * Resolves `[{ service, processes }]`, services with no process left out.
 */
export function externalServices(processes, { treePids, database }) {
  const outside = processes.filter((p) => !treePids.has(p.pid));
  const services = [
    { service: `Postgres backends of database ${database} (its functions' connections)`, match: (p) => p.comm === "postgres" && p.cmdline.split(" ").includes(database) },
    { service: "Kafka broker (JVM)", match: (p) => p.comm === "java" && /kafka/i.test(p.cmdline) },
    { service: "Redis", match: (p) => p.comm === "redis-server" },
  ];
  return services.map(({ service, match }) => ({ service, processes: outside.filter(match) })).filter((s) => s.processes.length > 0);
}

const listed = ({ pid, ppid, comm, role, rssMiB, pssMiB }) => ({ pid, ppid, comm, role, rssMiB, pssMiB });

/**
 * Reads the memory of `platform`'s process tree and of the services it found running.
 * Resolves `{ processes, total, external }`: each process of the tree with its role, RSS and
 * PSS in MiB; their sums; each outside service with its processes and sums.
 */
export async function platformMemory(platform, { database }) {
  const status = await platform.status();
  const instances = new Map(status.functions.flatMap((f) => f.instances.map((i) => [i.pid, `${f.name}#${i.id}`])));
  const all = await readProcesses();
  const tree = treeOf(platform.pid, all);
  const processes = (await withMemory(tree)).map((p) => listed({ ...p, role: roleOf(p, { rootPid: platform.pid, instances }) }));
  const external = await Promise.all(
    externalServices(all, { treePids: new Set(tree.map((p) => p.pid)), database }).map(async ({ service, processes: found }) => {
      const measured = await withMemory(found);
      return { service, processes: measured.length, ...totalMemory(measured) };
    }),
  );
  return { processes, total: totalMemory(processes), external };
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { externalServices, roleOf } from "./platform-memory.mjs";

const proc = (pid: number, ppid: number, comm: string, cmdline = comm) => ({ pid, ppid, comm, cmdline });

describe("roleOf", () => {
  const context = { rootPid: 100, instances: new Map([[101, "identity#1"]]) };

  it("should name the emulator, its instances by function, and services it started", () => {
    assert.equal(roleOf(proc(100, 1, "node"), context), "emulator: activator, registry, dispatcher");
    assert.equal(roleOf(proc(101, 100, "node"), context), "instance identity#1");
    assert.equal(roleOf(proc(102, 100, "node", "node local-dev/src/infra/pglite-main.ts serve"), context), "embedded database, started by it");
    assert.equal(roleOf(proc(103, 100, "redis-server"), context), "Redis, started by it");
    assert.equal(roleOf(proc(104, 100, "java", "java -cp kafka.jar kafka.Kafka"), context), "Kafka, started by it");
    assert.equal(roleOf(proc(105, 101, "esbuild"), context), "esbuild");
  });
});

describe("externalServices", () => {
  it("should find the Postgres backends of the run's database, the Kafka JVM and Redis outside the emulator's tree", () => {
    const processes = [
      proc(100, 1, "node"),
      proc(200, 1, "postgres", "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main"),
      proc(201, 200, "postgres", "postgres: 15/main: identity kinetic_bench_ab 127.0.0.1(1234) idle"),
      proc(202, 200, "postgres", "postgres: 15/main: audit kinetic_bench_ab 127.0.0.1(1235) idle"),
      proc(203, 200, "postgres", "postgres: 15/main: identity kinetic_test_cd 127.0.0.1(1236) idle"),
      proc(204, 200, "postgres", "postgres: 15/main: identity kinetic_bench_abc 127.0.0.1(1237) idle"),
      proc(300, 1, "java", "java -Xmx512m kafka.Kafka server.properties"),
      proc(301, 1, "java", "java -jar some-other-service.jar"),
      proc(400, 1, "redis-server", "/usr/bin/redis-server 127.0.0.1:6379"),
      proc(500, 100, "java", "java kafka.Kafka"),
    ];
    const found = externalServices(processes, { treePids: new Set([100, 500]), database: "kinetic_bench_ab" });
    assert.deepEqual(
      found.map((s) => [s.service.split(" ")[0], s.processes.map((p) => p.pid)]),
      [
        ["Postgres", [201, 202]],
        ["Kafka", [300]],
        ["Redis", [400]],
      ],
      "another database's backends, other JVMs and the emulator's own children are not counted",
    );
  });

  it("should leave out services with no process", () => {
    assert.deepEqual(externalServices([proc(100, 1, "node")], { treePids: new Set([100]), database: "kinetic_bench_ab" }), []);
  });
});

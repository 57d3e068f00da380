// Other work skews every figure on a small VM: processes in it (tests, builds) and the
// hypervisor stealing its vCPUs. The harness waits for quiet before each server and records
// both kinds of interference during each measurement.
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** Other processes using more than this many cores during a measurement spoil it. */
export const noisyCores = 0.1;

/** Jiffies since boot summed over cores: in processes, in interrupts, stolen, in all; and the core count. */
async function machineTimes() {
  const rows = (await readFile("/proc/stat", "utf8")).split("\n").filter((line) => /^cpu\d+ /.test(line));
  const times = { processes: 0, interrupts: 0, steal: 0, total: 0, cores: rows.length };
  for (const row of rows) {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = row.split(/\s+/).slice(1, 9).map(Number);
    times.processes += user + nice + system;
    times.interrupts += irq + softirq;
    times.steal += steal;
    times.total += user + nice + system + idle + iowait + irq + softirq + steal;
  }
  return times;
}

/** CPU jiffies of a process (all threads); with `children`, plus its waited-for children. */
async function processJiffies(pid, children) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const [utime, stime, cutime, cstime] = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(11, 15).map(Number);
  return utime + stime + (children ? cutime + cstime : 0);
}

/** CPU jiffies of all `pids` together; a process that has exited counts 0. */
async function jiffiesOf(pids) {
  const each = await Promise.all(pids.map((pid) => processJiffies(pid, false).catch(() => 0)));
  return each.reduce((sum, jiffies) => sum + jiffies, 0);
}

/** Pids of the running processes whose command name is one of `names` ("postgres", "redis-server"). */
export async function pidsNamed(names) {
  const pids = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const comms = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")));
  return pids.filter((_, i) => names.includes(comms[i].trim()));
}

/** Percent of the machine's CPU spent in processes and interrupts during the next `ms` milliseconds. */
export async function busyPercent(ms) {
  const before = await machineTimes();
  await sleep(ms);
  const after = await machineTimes();
  const busy = after.processes + after.interrupts - before.processes - before.interrupts;
  const total = after.total - before.total;
  return total === 0 ? 0 : Math.round((100 * busy) / total);
}

/**
 * Waits until the machine is under `thresholdPercent` busy over one second, for at most
 * `maxWaitSeconds`. Resolves the last busy percentage seen.
 */
export async function waitForQuiet({ maxWaitSeconds, thresholdPercent = 10, log }) {
  const deadline = performance.now() + maxWaitSeconds * 1000;
  let busy = await busyPercent(1000);
  if (busy >= thresholdPercent && maxWaitSeconds > 0) log(`machine ${busy}% busy with other work; waiting up to ${maxWaitSeconds} s`);
  while (busy >= thresholdPercent && performance.now() < deadline) busy = await busyPercent(1000);
  return busy;
}

/**
 * A snapshot for `interference`: the machine, the server (a pid, or every pid of a chain and
 * the services it uses; none when undefined), and this harness with its load tools.
 */
export async function cpuSnapshot(server) {
  const pids = [server].flat().filter((pid) => pid !== undefined);
  const [machine, serverJiffies, harness] = await Promise.all([machineTimes(), jiffiesOf(pids), processJiffies("self", true)]);
  return { machine, server: serverJiffies, harness };
}

/**
 * Between two snapshots: `otherCores`, the cores' worth of CPU that processes other than the
 * server and the harness (with its load tools) used, `stealPercent`, the share of CPU time the
 * hypervisor took from this VM, and `serverCores`, the cores' worth the server used.
 */
export function interference(before, after) {
  const total = after.machine.total - before.machine.total;
  if (total <= 0) return { otherCores: 0, stealPercent: 0, serverCores: 0 };
  const server = after.server - before.server;
  const others = after.machine.processes - before.machine.processes - server - (after.harness - before.harness);
  return {
    otherCores: (Math.max(0, others) * after.machine.cores) / total,
    stealPercent: (100 * (after.machine.steal - before.machine.steal)) / total,
    serverCores: (server * after.machine.cores) / total,
  };
}

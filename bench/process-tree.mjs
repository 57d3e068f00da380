// What a process and everything it started hold in memory, read from /proc: the emulator's
// idle footprint (itself, its function instances, anything else it spawned) and the services it
// found running, which are listed apart.
import { readdir, readFile } from "node:fs/promises";

const kibToMiB = (kib) => kib / 1024;

/** `{ pid, ppid, comm }` from the text of /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseStat(text) {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const [, ppid] = text.slice(close + 2).split(" ");
  return { pid: Number(text.slice(0, open).trim()), ppid: Number(ppid), comm: text.slice(open + 1, close) };
}

/** `{ rssKiB, pssKiB }` from /proc/<pid>/status and /proc/<pid>/smaps_rollup (PSS undefined without the latter). */
export function parseMemory(statusText, rollupText) {
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(statusText);
  const pss = rollupText === undefined ? null : /^Pss:\s+(\d+) kB$/m.exec(rollupText);
  return { rssKiB: rss === null ? 0 : Number(rss[1]), pssKiB: pss === null ? undefined : Number(pss[1]) };
}

/** `root` and every process below it, parents before children, from a list of `{ pid, ppid }`. */
export function treeOf(root, processes) {
  const children = new Map();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const self = processes.find((p) => p.pid === root);
  if (self === undefined) return [];
  const tree = [self];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i].pid) ?? []).toSorted((a, b) => a.pid - b.pid));
  return tree;
}

/** Totals in MiB of `processes` ({ rssMiB, pssMiB }); PSS undefined when one of them has none. */
export function totalMemory(processes) {
  const rssMiB = processes.reduce((sum, p) => sum + p.rssMiB, 0);
  const pssMiB = processes.every((p) => p.pssMiB !== undefined) ? processes.reduce((sum, p) => sum + p.pssMiB, 0) : undefined;
  return { rssMiB, pssMiB };
}

/** `{ pid, ppid, comm, cmdline }` of every process on the machine (those gone while reading are skipped). */
export async function readProcesses() {
  const pids = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry));
  const read = await Promise.all(
    pids.map(async (pid) => {
      try {
        const [stat, cmdline] = await Promise.all([readFile(`/proc/${pid}/stat`, "utf8"), readFile(`/proc/${pid}/cmdline`, "utf8")]);
        return { ...parseStat(stat), cmdline: cmdline.replaceAll("\0", " ").trim() };
      } catch {
        return undefined;
      }
    }),
  );
  return read.filter((p) => p !== undefined);
}

/** Adds `rssMiB` and `pssMiB` to each of `processes`; one that exited meanwhile is left out. */
export async function withMemory(processes) {
  const read = await Promise.all(
    processes.map(async (p) => {
      try {
        const status = await readFile(`/proc/${p.pid}/status`, "utf8");
        const rollup = await readFile(`/proc/${p.pid}/smaps_rollup`, "utf8").catch(() => undefined);
        const { rssKiB, pssKiB } = parseMemory(status, rollup);
        return { ...p, rssMiB: kibToMiB(rssKiB), pssMiB: pssKiB === undefined ? undefined : kibToMiB(pssKiB) };
      } catch {
        return undefined;
      }
    }),
  );
  return read.filter((p) => p !== undefined);
}

// Types of process-tree.mjs, for the TypeScript tests.

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly cmdline: string;
}

export interface Memory {
  readonly rssMiB: number;
  readonly pssMiB: number | undefined;
}

export function parseStat(text: string): { pid: number; ppid: number; comm: string };
export function parseMemory(statusText: string, rollupText: string | undefined): { rssKiB: number; pssKiB: number | undefined };
export function treeOf<P extends { readonly pid: number; readonly ppid: number }>(root: number, processes: readonly P[]): P[];
export function totalMemory(processes: readonly Memory[]): Memory;
export function readProcesses(): Promise<ProcessEntry[]>;
export function withMemory<P extends { readonly pid: number }>(processes: readonly P[]): Promise<(P & Memory)[]>;

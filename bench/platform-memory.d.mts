// Types of platform-memory.mjs, for the TypeScript tests.
import type { ProcessEntry } from "./process-tree.mjs";

export function roleOf(p: ProcessEntry, context: { readonly rootPid: number; readonly instances: ReadonlyMap<number, string> }): string;
export function externalServices(
  processes: readonly ProcessEntry[],
  context: { readonly treePids: ReadonlySet<number>; readonly database: string },
): { service: string; processes: ProcessEntry[] }[];

// Types of profile-tree.mjs, for the TypeScript tests.

/** A V8 CPU profile (`.cpuprofile`), the parts read here. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly scriptId?: string; readonly columnNumber?: number };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export type Category = "kinetic" | "connect" | "node" | "native" | "other" | "gc" | "program" | "idle";

export interface TreeNode {
  readonly key: string;
  readonly name: string;
  readonly location: string;
  readonly category: Category;
  readonly selfUs: number;
  readonly totalUs: number;
  readonly children: readonly TreeNode[];
}

export const categoryLabels: Readonly<Record<Category, string>>;
export function categoryOf(frame: { functionName: string; url: string }): Category;
export function locationOf(frame: { url: string; lineNumber: number }): string;
export function sampleDurations(profile: Pick<CpuProfile, "startTime" | "endTime" | "timeDeltas">): number[];
export function callTree(profile: CpuProfile): TreeNode;
export function categoryTimes(tree: TreeNode): Map<Category, number>;

// Types of flame-graph.mjs, for the TypeScript tests.
import type { CpuProfile } from "./profile-tree.mjs";

export function frameLabel(name: string, width: number): string;
export function flameGraphSvg(profile: CpuProfile, options?: { title?: string; width?: number; minShare?: number }): string;

// Types of profile-summary.mjs, for the TypeScript tests.
import type { Category, CpuProfile } from "./profile-tree.mjs";

export interface ProfileSummary {
  readonly samples: number;
  readonly sampledUs: number;
  readonly idleUs: number;
  readonly busyUs: number;
  readonly categories: readonly { category: Category; label: string; us: number; share: number }[];
  readonly functions: readonly { name: string; location: string; category: Category; selfUs: number; selfShare: number; totalShare: number }[];
}

export function summarizeProfile(profile: CpuProfile, options?: { top?: number }): ProfileSummary;

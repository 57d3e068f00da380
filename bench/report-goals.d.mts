// Types of report-goals.mjs, for the TypeScript tests.

export interface Goal {
  readonly id: string;
  readonly label: string;
  readonly of: string;
  readonly over: string;
  readonly atLeast?: number;
  readonly atMost?: number;
  readonly coldStart?: boolean;
}

export interface GoalResult {
  readonly goal: Goal;
  readonly ratio?: number;
  readonly min?: number;
  readonly max?: number;
  readonly met?: boolean;
  readonly missing?: string;
}

type Row = { readonly id: string; readonly status: string; [field: string]: unknown };

export const goals: readonly Goal[];
export function goalResults(report: { throughput: readonly Row[]; coldStart: readonly Row[] }): GoalResult[];
export function goalSections(report: { throughput: readonly Row[]; coldStart: readonly Row[] }): string[];

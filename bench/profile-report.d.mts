// Types of profile-report.mjs, for the TypeScript tests.

/** A row of the profiles (see profile-run.mjs for every field). */
export interface ProfileRow {
  readonly id: string;
  readonly name: string;
  readonly protocol: string;
  readonly protocolLabel: string;
  readonly fastPath: "off" | "on";
  readonly tool: string;
  readonly status: "ok" | "unavailable";
  readonly reason?: string;
  [field: string]: unknown;
}

export const flameGraphDir: string;
export function addFastPathRatios(rows: ProfileRow[]): void;
export function profileTable(rows: readonly ProfileRow[]): string;
export function categoryTable(rows: readonly ProfileRow[]): string;
export function topFunctionsTable(off: ProfileRow | undefined, on: ProfileRow | undefined): string;
export function profileSections(report: {
  profile?: { rows: ProfileRow[]; notes: Record<string, unknown>; command?: string } | undefined;
  settings: Record<string, unknown>;
  environment: Record<string, unknown>;
  date: string;
}): string[];
export function publishFlameGraphs(rows: readonly ProfileRow[], root: string): Promise<string[]>;
